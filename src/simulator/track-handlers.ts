import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import { identifierKindOf } from '../customerio/identifiers.js';
import type { TrackRegion } from '../customerio/track-items.js';
import type { ScriptedItemRejection } from './faults.js';
import type { SimulatorLimits, SimulatorWorkspace } from './options.js';
import { jsonReply, okReply, partialReply, v1ErrorsReply, v2ErrorsReply, type SimReply, type WireError } from './replies.js';
import type { RouteName } from './routing.js';
import { applyOperation, validateOperation } from './v2-operations.js';
import { eventViolations, identifierViolation, identifyViolations, type Violation } from './validation.js';
import type { EventTarget, PersonAddress, WorkspaceState } from './workspace-state.js';

export interface HandlerContext {
  route: RouteName;
  /** The percent-decoded path identifier of v1 person routes. */
  identifier: string | undefined;
  body: Buffer;
  workspace: Required<Pick<SimulatorWorkspace, 'siteId' | 'region' | 'environmentId'>>;
  state: WorkspaceState;
  limits: SimulatorLimits;
  regionUrl: (region: TrackRegion) => string;
  /** A scripted 207 for operations with this name. */
  rejection: (ScriptedItemRejection & { itemName: string }) | undefined;
  /** Counts v2 operations by outcome. */
  countOperations: (accepted: number, rejected: number) => void;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

/** JSON.parse keeps `__proto__` as an own key, so bodies are safe to walk. An empty body is `{}`. */
function parseBody(body: Buffer): Parsed {
  const text = body.toString('utf8');
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function v1Object(body: Buffer): { value: JsonObject } | { reply: SimReply } {
  const parsed = parseBody(body);
  if (!parsed.ok) return { reply: v1ErrorsReply(['request body is not valid JSON']) };
  if (!isPlainObject(parsed.value)) return { reply: v1ErrorsReply(['request body must be a JSON object']) };
  return { value: parsed.value };
}

/** The v1 path identifier by shape: `cio_` prefix, email (where email identifies people), else id. */
function pathAddress(identifier: string, state: WorkspaceState): PersonAddress {
  const { kind, value } = identifierKindOf(identifier);
  return kind === 'email' && !state.emailIsIdentifier ? { kind: 'id', value: identifier } : { kind, value };
}

function messages(violations: readonly Violation[]): string[] {
  return violations.map((violation) => violation.message);
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function v1Identify(ctx: HandlerContext, identifier: string): SimReply {
  const body = v1Object(ctx.body);
  if ('reply' in body) return body.reply;
  const violations = [identifierViolation(identifier, 'identifier'), ...identifyViolations(body.value, '')].filter((v): v is Violation => v !== undefined);
  if (violations.length > 0) return v1ErrorsReply(messages(violations));
  ctx.state.identify(pathAddress(identifier, ctx.state), body.value, {
    timestamp: integerOrNull(body.value._timestamp),
    updateOnly: body.value._update === true,
  });
  return okReply();
}

function v1Event(ctx: HandlerContext, target: (body: JsonObject) => EventTarget, identifier?: string): SimReply {
  const body = v1Object(ctx.body);
  if ('reply' in body) return body.reply;
  const { violations, event } = eventViolations({ name: body.value.name, data: body.value.data, id: body.value.id, type: body.value.type }, 'data');
  const pathViolation = identifier === undefined ? undefined : identifierViolation(identifier, 'identifier');
  const all = pathViolation === undefined ? violations : [pathViolation, ...violations];
  if (all.length > 0) return v1ErrorsReply(messages(all));
  ctx.state.recordEvent(target(body.value), { ...event, timestamp: body.value.timestamp });
  return okReply();
}

function tooLarge(ctx: HandlerContext, limit: number, status: number): SimReply | undefined {
  if (ctx.body.length <= limit) return undefined;
  return v2ErrorsReply([{ reason: 'invalid', field: '', message: `request too large: ${ctx.body.length} bytes, the limit is ${limit}` }], status);
}

function parseV2(ctx: HandlerContext): { value: unknown } | { reply: SimReply } {
  const parsed = parseBody(ctx.body);
  return parsed.ok ? { value: parsed.value } : { reply: v2ErrorsReply([{ reason: 'parse_error', field: '', message: 'request body is not valid JSON' }]) };
}

function operationName(op: unknown): unknown {
  return isPlainObject(op) ? op.name : undefined;
}

function v2Entity(ctx: HandlerContext): SimReply {
  const oversized = tooLarge(ctx, ctx.limits.entityBytes, ctx.limits.entityTooLargeStatus);
  if (oversized !== undefined) return oversized;
  const parsed = parseV2(ctx);
  if ('reply' in parsed) return parsed.reply;
  if (ctx.rejection !== undefined && operationName(parsed.value) === ctx.rejection.itemName) {
    ctx.countOperations(0, 1);
    return v2ErrorsReply([ctx.rejection]);
  }
  const result = validateOperation(parsed.value, ctx.limits.itemBytes);
  if ('violations' in result) {
    ctx.countOperations(0, 1);
    return v2ErrorsReply(result.violations);
  }
  applyOperation(ctx.state, result.operation);
  ctx.countOperations(1, 0);
  return okReply();
}

function v2Batch(ctx: HandlerContext): SimReply {
  const oversized = tooLarge(ctx, ctx.limits.batchBytes, 400);
  if (oversized !== undefined) return oversized;
  const parsed = parseV2(ctx);
  if ('reply' in parsed) return parsed.reply;
  const batch = isPlainObject(parsed.value) ? parsed.value.batch : undefined;
  if (!Array.isArray(batch)) return v2ErrorsReply([{ reason: 'invalid', field: 'batch', message: 'body must be {"batch": [operations]}' }]);
  const errors: Array<WireError & { batch_index: number }> = [];
  batch.forEach((op: unknown, index) => {
    if (ctx.rejection !== undefined && operationName(op) === ctx.rejection.itemName) {
      errors.push({ ...ctx.rejection, batch_index: index });
      return;
    }
    const result = validateOperation(op, ctx.limits.itemBytes);
    if ('violations' in result) {
      for (const violation of result.violations) errors.push({ ...violation, batch_index: index });
      return;
    }
    applyOperation(ctx.state, result.operation);
  });
  const rejected = new Set(errors.map((error) => error.batch_index)).size;
  ctx.countOperations(batch.length - rejected, rejected);
  return errors.length > 0 ? partialReply(errors) : okReply();
}

/** Answers an authenticated, rate-checked Track request. Never throws on client data. */
export function handleTrackRoute(ctx: HandlerContext): SimReply {
  const identifier = ctx.identifier ?? '';
  switch (ctx.route) {
    case 'auth':
      return okReply();
    case 'region':
      return jsonReply(200, { url: ctx.regionUrl(ctx.workspace.region), region: ctx.workspace.region, environment_id: ctx.workspace.environmentId });
    case 'identify':
      return v1Identify(ctx, identifier);
    case 'delete_person':
      ctx.state.deletePerson(pathAddress(identifier, ctx.state));
      return okReply();
    case 'person_event':
      return v1Event(ctx, () => ({ person: pathAddress(identifier, ctx.state) }), identifier);
    case 'anonymous_event':
      return v1Event(ctx, (body) => ({ anonymousId: typeof body.anonymous_id === 'string' ? body.anonymous_id : '' }));
    case 'entity':
      return v2Entity(ctx);
    case 'batch':
      return v2Batch(ctx);
  }
}
