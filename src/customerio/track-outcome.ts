import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';

/** A reply from the Track API, as the client read it. */
export interface TrackResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One item Customer.io refused, with its own words. */
export interface ItemFailure {
  /** 0-based position in the batch request. */
  batchIndex: number;
  reason: string;
  field: string;
  message: string;
}

export type RetryableCause =
  | 'server_error'
  | 'request_timeout'
  | 'timeout'
  | 'connection_reset'
  | 'connection_failed'
  | 'unreadable_reply'
  | 'unexpected_status';

export type ConfigurationProblem = 'credentials_rejected' | 'forbidden' | 'wrong_region' | 'not_track_api';

/**
 * What one batch request came to. Closed: every reply and every transport failure is one of these.
 * - `delivered`: every item was accepted.
 * - `items_rejected`: the listed items failed for good (400, 207, 413); the others were accepted when
 *   `othersAccepted` (a 207), and must be sent again otherwise.
 * - `retryable`: nothing is known to be accepted; send it all again later (5xx, 408, timeouts, resets).
 * - `rate_limited`: a 429; wait `retryAfterMs` when Customer.io said so. Does not use up an attempt.
 * - `configuration`: the workspace's settings are wrong (401, 403, wrong region); hold its items.
 */
export type TrackOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'items_rejected'; status: number; failures: ItemFailure[]; othersAccepted: boolean }
  | { kind: 'retryable'; status: number | null; cause: RetryableCause; message: string }
  | { kind: 'rate_limited'; status: 429; retryAfterMs: number | null }
  | { kind: 'configuration'; status: number | null; problem: ConfigurationProblem; message: string; location?: string };

export interface ClassifyContext {
  /** How many items the request carried. */
  itemCount: number;
  /** Now, in milliseconds (for a `Retry-After` given as a date). */
  now: number;
}

function parseJsonObject(body: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function headerValue(headers: TrackResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return null;
  return Math.max(0, date - now);
}

/** The `errors` array of a v2 error body, each as an item failure (`batchIndex` -1 when absent). */
function v2Errors(body: JsonObject | undefined): ItemFailure[] | undefined {
  const errors = body?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.filter(isPlainObject).map((error) => ({
    batchIndex: typeof error.batch_index === 'number' && Number.isInteger(error.batch_index) ? error.batch_index : -1,
    reason: text(error.reason),
    field: text(error.field),
    message: text(error.message),
  }));
}

/** A short human message from any Customer.io error body (v1 `meta`, v2 `errors`) or a status. */
export function replyMessage(status: number, body: JsonObject | undefined): string {
  const meta = body?.meta;
  if (isPlainObject(meta)) {
    if (typeof meta.error === 'string') return meta.error;
    if (Array.isArray(meta.errors) && meta.errors.length > 0) return meta.errors.map(text).join('; ');
  }
  const first = v2Errors(body)?.[0];
  if (first !== undefined && first.message !== '') return first.message;
  return `HTTP ${status}`;
}

function everyItem(itemCount: number, failure: Omit<ItemFailure, 'batchIndex'>): ItemFailure[] {
  return Array.from({ length: itemCount }, (_, batchIndex) => ({ batchIndex, ...failure }));
}

function classifyRejection(response: TrackResponse, body: JsonObject | undefined, context: ClassifyContext): TrackOutcome {
  const errors = v2Errors(body) ?? [];
  const named = errors.filter((error) => error.batchIndex >= 0 && error.batchIndex < context.itemCount);
  if (named.length > 0) return { kind: 'items_rejected', status: response.status, failures: named, othersAccepted: false };
  const first = errors[0];
  const failure =
    first === undefined
      ? { reason: response.status === 413 ? 'too_large' : 'rejected', field: '', message: replyMessage(response.status, body) }
      : { reason: first.reason, field: first.field, message: first.message };
  return { kind: 'items_rejected', status: response.status, failures: everyItem(context.itemCount, failure), othersAccepted: false };
}

function classifyPartial(response: TrackResponse, body: JsonObject | undefined, context: ClassifyContext): TrackOutcome {
  const errors = v2Errors(body);
  if (errors === undefined) {
    return { kind: 'retryable', status: 207, cause: 'unreadable_reply', message: 'a 207 reply without a readable errors list' };
  }
  if (errors.length === 0) return { kind: 'delivered', status: 207 };
  const named = errors.filter((error) => error.batchIndex >= 0 && error.batchIndex < context.itemCount);
  if (named.length !== errors.length) {
    return { kind: 'retryable', status: 207, cause: 'unreadable_reply', message: 'a 207 reply naming items the batch does not have' };
  }
  return { kind: 'items_rejected', status: response.status, failures: named, othersAccepted: true };
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Classifies one HTTP reply to a v2 batch request. */
export function classifyTrackResponse(response: TrackResponse, context: ClassifyContext): TrackOutcome {
  const { status } = response;
  if (status === 207) return classifyPartial(response, parseJsonObject(response.body), context);
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429) {
    return { kind: 'rate_limited', status: 429, retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after'), context.now) };
  }
  if (status === 408) return { kind: 'retryable', status, cause: 'request_timeout', message: 'Customer.io timed out reading the request (408)' };
  if (status >= 500) return { kind: 'retryable', status, cause: 'server_error', message: `Customer.io answered ${status}` };
  const body = parseJsonObject(response.body);
  if (REDIRECTS.has(status)) {
    const location = headerValue(response.headers, 'location');
    return {
      kind: 'configuration',
      status,
      problem: 'wrong_region',
      message: `Customer.io redirected the request (${status}${location === undefined ? '' : ` to ${location}`}): the workspace is in the other region`,
      ...(location === undefined ? {} : { location }),
    };
  }
  if (status === 401) return { kind: 'configuration', status, problem: 'credentials_rejected', message: replyMessage(status, body) };
  if (status === 403) return { kind: 'configuration', status, problem: 'forbidden', message: replyMessage(status, body) };
  if (status === 404 || status === 405) {
    return { kind: 'configuration', status, problem: 'not_track_api', message: `the Track API URL does not serve batch requests (${status})` };
  }
  if (status >= 400) return classifyRejection(response, body, context);
  return { kind: 'retryable', status, cause: 'unexpected_status', message: `unexpected HTTP status ${status}` };
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a request that got no HTTP reply: timeouts, resets and failed connections are retryable. */
export function classifyTransportError(error: unknown): TrackOutcome & { kind: 'retryable' } {
  const code = errorCode(error) ?? 'unknown';
  const message = `${code}: ${error instanceof Error ? error.message : String(error)}`;
  if (TIMEOUT_CODES.has(code)) return { kind: 'retryable', status: null, cause: 'timeout', message };
  if (RESET_CODES.has(code)) return { kind: 'retryable', status: null, cause: 'connection_reset', message };
  return { kind: 'retryable', status: null, cause: 'connection_failed', message };
}
