import { randomUUID } from 'node:crypto';
import { validateEvents, type ValidationContext } from '../amplitude/event-validation.js';
import { BATCH_MAX_EVENTS, HTTP_V2_MAX_EVENTS } from '../amplitude/limits.js';
import { eventProblemsReply, IDENTIFY_SUCCESS, replies, successReply, type AmplitudeReply } from '../amplitude/responses.js';
import { parseIdentifyFields, parseUploadBody, type EnvelopeResult } from '../amplitude/upload-request.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { IngestEvent, IngestSource } from '../store/types.js';
import type { GroupCommitter } from './group-commit.js';

export interface RequestContext {
  requestId: string;
  receivedAt: number;
  /** Bytes of the request body, reported back as `payload_size_bytes`. */
  payloadSize: number;
}

export interface IngestServiceOptions {
  /** Makes insert_ids for events sent without one. */
  newInsertId?: () => string;
  /** Told about failed commits (the error never holds request data). */
  onCommitError?: (error: unknown, requestId: string) => void;
  /** Told about every reply: its code, the events the request carried, duplicates among them, and how long it took. */
  onReply?: (source: IngestSource, code: number, events: number, duplicates: number, seconds: number) => void;
}

/**
 * The ingestion use case behind the three Amplitude endpoints: envelope, API key, per-event
 * validation, then a group commit. It answers only after the request's events are committed.
 */
export class IngestService {
  private readonly newInsertId: () => string;

  constructor(
    private readonly projects: ProjectDirectory,
    private readonly committer: GroupCommitter,
    private readonly options: IngestServiceOptions = {},
  ) {
    this.newInsertId = options.newInsertId ?? randomUUID;
  }

  /** `POST /2/httpapi` and `POST /batch`. */
  upload(source: 'httpapi' | 'batch', body: Buffer | undefined, context: RequestContext): Promise<AmplitudeReply> {
    return this.ingest(parseUploadBody(body, source === 'batch' ? BATCH_MAX_EVENTS : HTTP_V2_MAX_EVENTS), source, 'event', context);
  }

  /** `POST` or `GET /identify`, given its form fields or query parameters. */
  identify(fields: Record<string, unknown>, context: RequestContext): Promise<AmplitudeReply> {
    return this.ingest(parseIdentifyFields(fields), 'identify', 'identify', context);
  }

  private async ingest(
    parsed: EnvelopeResult,
    source: IngestSource,
    kind: ValidationContext['kind'],
    context: RequestContext,
  ): Promise<AmplitudeReply> {
    const started = performance.now();
    const observed = { duplicates: 0 };
    let reply: AmplitudeReply;
    try {
      reply = await this.ingestParsed(parsed, source, kind, context, observed);
    } catch (error) {
      // a bug, not the client's fault: nothing was committed, so the 503's "retry" is honest
      this.options.onCommitError?.(error, context.requestId);
      reply = replies.unavailable();
    }
    const events = parsed.ok ? parsed.envelope.events.length : 0;
    this.options.onReply?.(source, reply.status, events, observed.duplicates, (performance.now() - started) / 1000);
    return reply;
  }

  private async ingestParsed(
    parsed: EnvelopeResult,
    source: IngestSource,
    kind: ValidationContext['kind'],
    context: RequestContext,
    observed: { duplicates: number },
  ): Promise<AmplitudeReply> {
    if (!parsed.ok) return parsed.reply;
    const { envelope } = parsed;
    const project = await this.projects.resolve(envelope.apiKey);
    if (project === undefined) return replies.invalidApiKey();
    const validation = validateEvents(envelope.events, {
      minIdLength: envelope.minIdLength,
      receivedAt: context.receivedAt,
      kind,
    });
    if (!validation.ok) return eventProblemsReply(validation.problems);

    const events: IngestEvent[] = validation.events.map((event) =>
      event.insertId === null
        ? { ...event, insertId: this.newInsertId(), insertIdGenerated: true }
        : { ...event, insertId: event.insertId, insertIdGenerated: false },
    );
    try {
      const outcome = await this.committer.submit({
        projectId: project.id,
        source,
        requestId: context.requestId,
        receivedAt: context.receivedAt,
        events,
      });
      observed.duplicates = outcome.duplicates;
      if (source === 'identify') return IDENTIFY_SUCCESS;
      return successReply(outcome.accepted, context.payloadSize, context.receivedAt);
    } catch (error) {
      this.options.onCommitError?.(error, context.requestId);
      return replies.unavailable();
    }
  }
}
