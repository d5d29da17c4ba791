import { isPlainObject, setOwn } from '../amplitude/plain-data.js';
import type { TrackRegion } from '../customerio/track-items.js';
import { FaultInjector, seededRandom, type FaultSettings, type ScriptedReply } from './faults.js';
import { DEFAULT_LIMITS, DEFAULT_WORKSPACES, type IdentifierMode, type SimulatorLimits, type SimulatorOptions } from './options.js';
import { metaErrorReply, unauthorizedReply, type SimReply } from './replies.js';
import { RequestLog } from './request-log.js';
import { routeTrackRequest, type HostRegion } from './routing.js';
import { TokenBucket } from './token-bucket.js';
import { handleTrackRoute } from './track-handlers.js';
import { WorkspaceState } from './workspace-state.js';

export interface ResolvedWorkspace {
  siteId: string;
  apiKey: string;
  region: TrackRegion;
  environmentId: number;
  identifierMode: IdentifierMode;
}

/** A request as it reached the simulator. */
export interface IncomingRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What to do with the connection: send a reply, reset it, or never answer. */
export type TrackResult = { kind: 'reply'; reply: SimReply } | { kind: 'reset' } | { kind: 'hang' };

const V1_ROUTES: ReadonlySet<string> = new Set(['auth', 'region', 'identify', 'delete_person', 'person_event', 'anonymous_event']);

/** `Authorization: Basic base64(site_id:api_key)`; either base64 alphabet decodes. */
export function parseBasicAuth(header: string | string[] | undefined): { siteId: string; apiKey: string } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Basic\s+([A-Za-z0-9+/_-]+=*)\s*$/i.exec(value);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { siteId: decoded.slice(0, colon), apiKey: decoded.slice(colon + 1) };
}

function scriptedReply(reply: ScriptedReply): SimReply {
  const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  if (typeof reply.body === 'string') return { status: reply.status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: reply.body };
  const body = reply.body === undefined ? '' : `${JSON.stringify(reply.body)}\n`;
  return { status: reply.status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

function itemNames(body: Buffer): string[] {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const ops = isPlainObject(parsed) && Array.isArray(parsed.batch) ? parsed.batch : [parsed];
    return ops.flatMap((op: unknown) => (isPlainObject(op) && typeof op.name === 'string' ? [op.name] : []));
  } catch {
    return [];
  }
}

function redactedHeaders(headers: IncomingRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    setOwn(out, name, name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The simulator without its sockets: workspaces, state, rate limits, faults, log. */
export class SimulatorCore {
  readonly workspaces: ResolvedWorkspace[];
  readonly limits: SimulatorLimits;
  readonly now: () => number;
  private states = new Map<string, WorkspaceState>();
  private buckets = new Map<string, TokenBucket>();
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  private readonly rate: number;

  constructor(
    private readonly options: SimulatorOptions,
    private readonly regionUrl: (region: TrackRegion) => string,
  ) {
    this.now = options.now ?? Date.now;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.rate = options.rateLimitPerSecond ?? 100;
    if (!(this.rate > 0)) throw new Error('rateLimitPerSecond must be above 0');
    const given = options.workspaces ?? DEFAULT_WORKSPACES;
    this.workspaces = given.map((workspace, index) => ({
      siteId: workspace.siteId,
      apiKey: workspace.apiKey,
      region: workspace.region,
      environmentId: workspace.environmentId ?? index + 1,
      identifierMode: workspace.identifierMode ?? 'email_or_id',
    }));
    const ids = new Set(this.workspaces.map((workspace) => workspace.siteId));
    if (ids.size !== this.workspaces.length) throw new Error('each workspace needs its own site_id');
    this.faults = new FaultInjector(options.faults ?? {}, seededRandom(options.seed ?? 1));
    this.log = new RequestLog(options.requestLogSize ?? 10_000);
    this.resetState();
  }

  private resetState(): void {
    this.states = new Map(
      this.workspaces.map((w) => [w.siteId, new WorkspaceState(w.identifierMode, this.now, this.options.eventsCreatePeople ?? true)]),
    );
    this.buckets = new Map(this.workspaces.map((w) => [w.siteId, new TokenBucket(this.rate, this.rate, this.now)]));
  }

  /** Forgets people, events, requests and counters; faults go back to the start settings. */
  reset(): void {
    this.resetState();
    this.log.clear();
    this.faults.set(this.options.faults ?? {});
  }

  setFaults(settings: FaultSettings): void {
    this.faults.set(settings);
  }

  workspace(siteId?: string): ResolvedWorkspace | undefined {
    return siteId === undefined ? this.workspaces[0] : this.workspaces.find((w) => w.siteId === siteId);
  }

  state(siteId?: string): WorkspaceState | undefined {
    const workspace = this.workspace(siteId);
    return workspace === undefined ? undefined : this.states.get(workspace.siteId);
  }

  /** The largest body worth reading; anything above is answered without being read further. */
  get bodyReadLimit(): number {
    return Math.max(this.limits.v1BodyBytes, this.limits.batchBytes, this.limits.entityBytes) + 1;
  }

  async handle(request: IncomingRequest): Promise<TrackResult> {
    const path = request.url.split('?')[0] ?? '/';
    const routed = routeTrackRequest(request.method, path);
    const credentials = parseBasicAuth(request.headers.authorization);
    const retryCount = Number(request.headers['x-retry-count']);
    const entry = this.log.start(
      {
        at: this.now(),
        method: request.method,
        url: request.url,
        host: routed.host,
        site_id: credentials?.siteId ?? null,
        retry_count: Number.isInteger(retryCount) ? retryCount : null,
        headers: redactedHeaders(request.headers),
        body: request.body.toString('utf8'),
      },
      routed.kind === 'route' ? routed.route : routed.kind,
    );
    const result = await this.decide(request, routed, credentials);
    this.log.finish(entry, result.kind === 'reply' ? result.reply : { fault: result.kind === 'reset' ? 'reset' : 'timeout' });
    return result;
  }

  private async decide(
    request: IncomingRequest,
    routed: ReturnType<typeof routeTrackRequest>,
    credentials: { siteId: string; apiKey: string } | undefined,
  ): Promise<TrackResult> {
    if (routed.kind === 'not_found') return { kind: 'reply', reply: metaErrorReply(404, 'not found') };
    if (routed.kind === 'method_not_allowed') return { kind: 'reply', reply: metaErrorReply(405, 'method not allowed', { allow: routed.allow }) };
    const v1 = V1_ROUTES.has(routed.route);
    if (v1 && request.body.length > this.limits.v1BodyBytes) return { kind: 'reply', reply: metaErrorReply(413, 'request body too large') };

    const fault = this.faults.decide({
      method: request.method,
      path: routed.path,
      siteId: credentials?.siteId,
      itemNames: v1 ? [] : itemNames(request.body),
    });
    if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
    if (fault.kind === 'reset' || fault.kind === 'hang') {
      this.log.countFault(fault.kind === 'reset' ? 'reset' : 'timeout');
      return { kind: fault.kind };
    }
    if (fault.kind === 'reply') {
      this.log.countFault(fault.source);
      return { kind: 'reply', reply: scriptedReply(fault.reply) };
    }

    const workspace = credentials === undefined ? undefined : this.workspaces.find((w) => w.siteId === credentials.siteId && w.apiKey === credentials.apiKey);
    if (workspace === undefined) return { kind: 'reply', reply: unauthorizedReply() };
    this.log.countWorkspaceRequest(workspace.siteId);
    if (routed.route !== 'region') {
      const wrongHost = this.regionCheck(routed.host, workspace, request.url);
      if (wrongHost !== undefined) return { kind: 'reply', reply: wrongHost };
    }
    const token = this.buckets.get(workspace.siteId)?.take() ?? { ok: true };
    if (!token.ok) {
      this.log.countRateLimited(workspace.siteId);
      const headers: Record<string, string> = this.options.rateLimitRetryAfter === false ? {} : { 'retry-after': String(token.retryAfterSeconds) };
      return { kind: 'reply', reply: metaErrorReply(429, 'rate limit exceeded', headers) };
    }
    const reply = handleTrackRoute({
      route: routed.route,
      identifier: routed.identifier,
      body: request.body,
      workspace,
      state: this.states.get(workspace.siteId) as WorkspaceState,
      limits: this.limits,
      regionUrl: this.regionUrl,
      rejection: fault.kind === 'reject_items' ? fault.rule : undefined,
      countOperations: (accepted, rejected) => this.log.countOperations(workspace.siteId, accepted, rejected),
    });
    return { kind: 'reply', reply };
  }

  /**
   * EU credentials on the US host are redirected (307, keeping method and body) to the same path on
   * the EU host; US credentials on the EU host get 401 (both statuses unconfirmed; reference §1.1).
   */
  private regionCheck(host: HostRegion, workspace: ResolvedWorkspace, url: string): SimReply | undefined {
    if (host === 'any' || host === workspace.region) return undefined;
    if (host === 'eu') return unauthorizedReply();
    const rest = url.replace(/^\/us/, '');
    return metaErrorReply(307, `this workspace is in the EU region; use ${this.regionUrl('eu')}`, { location: `${this.regionUrl('eu')}${rest}` });
  }
}
