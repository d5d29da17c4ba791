import type { TrackOutcome } from '../../customerio/track-outcome.js';
import { readStoredItem } from '../../store/delivery-error.js';
import type { AttemptRecord, DeliveryResult, FailureSample, SyncPause } from '../../store/delivery-types.js';
import type { QueuedDelivery } from './delivery-queue.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';

/** What a batch's outcome means for its items, the sync and the rate limiter. */
export interface BatchVerdict {
  results: DeliveryResult[];
  failures: FailureSample[];
  /** Set when a configuration problem holds the sync. */
  pause?: SyncPause;
  /** Set on a 429: the limiter slows down (and waits `retryAfterMs` when given). */
  throttle?: { retryAfterMs: number | null };
}

const SAMPLE_BODY_BYTES = 2000;

/** Why an item Customer.io did not name is sent again when it refused the whole batch (a 400 naming others). */
const BATCH_REFUSED = 'another item of its batch was refused; sent again';

/** The failure class of an outcome, for error categories (a closed set). */
export function failureCategory(outcome: Exclude<TrackOutcome, { kind: 'delivered' }>, itemFailure?: { reason: string; field: string; message: string }): string {
  switch (outcome.kind) {
    case 'configuration':
      return { credentials_rejected: 'bad_credentials', forbidden: 'forbidden', wrong_region: 'wrong_region', not_track_api: 'not_track_api' }[outcome.problem];
    case 'rate_limited':
      return 'rate_limited';
    case 'retryable':
      if (outcome.cause === 'server_error') return 'server_error';
      if (outcome.cause === 'timeout' || outcome.cause === 'request_timeout') return 'timeout';
      if (outcome.cause === 'connection_reset' || outcome.cause === 'connection_failed') return 'connection';
      return 'unexpected_reply';
    case 'items_rejected': {
      const text = `${itemFailure?.reason ?? ''} ${itemFailure?.message ?? ''}`.toLowerCase();
      const field = itemFailure?.field ?? '';
      if (field.startsWith('attributes')) return 'invalid_attribute';
      if (field.startsWith('identifiers') || /identifier|conflict/.test(text)) return 'identifier_conflict';
      if (outcome.status === 413 || /too large|request body|operation.*bytes/.test(text)) return 'item_too_large';
      return 'rejected';
    }
  }
}

function sample(item: QueuedDelivery, status: number | null, body: string): FailureSample['sample'] {
  return { item: readStoredItem(item.itemJson), reply: { status, body: body.slice(0, SAMPLE_BODY_BYTES) } };
}

/**
 * Turns one batch request's outcome into per-item results (pure; `random` for backoff jitter):
 * - delivered: every item delivered;
 * - items_rejected: the named items dead-lettered with Customer.io's reason; the others delivered
 *   (207) or sent again at once without using an attempt (a 400 that refused the whole request);
 * - retryable: every item retried with backoff, or expired when out of attempts or time;
 * - rate_limited: items wait (Retry-After), no attempt used;
 * - configuration: items held without using an attempt, and the sync paused with the reason.
 */
export function judgeBatch(
  syncId: number,
  items: readonly QueuedDelivery[],
  outcome: TrackOutcome,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): BatchVerdict {
  const attempt = (outcome_: AttemptRecord['outcome'], status: number | null, message?: string): AttemptRecord =>
    message === undefined ? { at: now, outcome: outcome_, status } : { at: now, outcome: outcome_, status, message };
  switch (outcome.kind) {
    case 'delivered':
      return {
        results: items.map((d) => ({ id: d.id, at: now, kind: 'delivered', countsAttempt: true, attempt: attempt('delivered', outcome.status) })),
        failures: [],
      };
    case 'rate_limited': {
      const wait = outcome.retryAfterMs ?? 1000;
      const message = outcome.retryAfterMs === null ? 'rate limited' : `rate limited: retry after ${outcome.retryAfterMs} ms`;
      return {
        results: items.map((d) => ({
          id: d.id,
          at: now,
          kind: 'retry',
          nextAttemptAt: now + wait,
          countsAttempt: false,
          error: { status: 429, cause: 'rate_limited', retry_after_ms: outcome.retryAfterMs, message },
          attempt: attempt('rate_limited', 429, message),
        })),
        failures: [{ syncId, category: 'rate_limited', reason: 'HTTP 429', at: now, count: items.length, sample: sample(items[0] as QueuedDelivery, 429, message) }],
        throttle: { retryAfterMs: outcome.retryAfterMs },
      };
    }
    case 'configuration': {
      const category = failureCategory(outcome);
      return {
        results: items.map((d) => ({
          id: d.id,
          at: now,
          kind: 'retry',
          nextAttemptAt: now,
          countsAttempt: false,
          error: { status: outcome.status, problem: outcome.problem, message: outcome.message },
          attempt: attempt('paused', outcome.status, outcome.message),
        })),
        failures: [{ syncId, category, reason: outcome.message, at: now, count: items.length, sample: sample(items[0] as QueuedDelivery, outcome.status, outcome.message) }],
        pause: { reason: outcome.message, problem: outcome.problem, since: now },
      };
    }
    case 'items_rejected': {
      const named = new Map(outcome.failures.map((f) => [f.batchIndex, f]));
      const failures = new Map<string, FailureSample>();
      const results: DeliveryResult[] = items.map((d, index) => {
        const failure = named.get(index);
        if (failure !== undefined) {
          const message = [failure.reason, failure.field, failure.message].filter((s) => s !== '').join(': ');
          const category = failureCategory(outcome, failure);
          const key = `${category}|${failure.reason}|${failure.field}`;
          const existing = failures.get(key);
          if (existing !== undefined) existing.count++;
          else failures.set(key, { syncId, category, reason: `${failure.reason} ${failure.field}`.trim(), at: now, count: 1, sample: sample(d, outcome.status, JSON.stringify(failure)) });
          return {
            id: d.id,
            at: now,
            kind: 'dead',
            cause: 'rejected',
            countsAttempt: true,
            error: { status: outcome.status, reason: failure.reason, field: failure.field, message: failure.message },
            attempt: attempt('rejected', outcome.status, message),
          };
        }
        return outcome.othersAccepted
          ? { id: d.id, at: now, kind: 'delivered', countsAttempt: true, attempt: attempt('delivered', outcome.status) }
          : {
              id: d.id,
              at: now,
              kind: 'retry',
              nextAttemptAt: now,
              countsAttempt: false,
              error: { status: outcome.status, cause: 'batch_refused', message: BATCH_REFUSED },
              attempt: attempt('failed', outcome.status, BATCH_REFUSED),
            };
      });
      return { results, failures: [...failures.values()] };
    }
    case 'retryable': {
      const error = { status: outcome.status, cause: outcome.cause, message: outcome.message };
      const results: DeliveryResult[] = items.map((d) => {
        const decision = decideRetry(d.attempts + 1, d.createdAt, now, policy, random());
        return decision.kind === 'retry'
          ? { id: d.id, at: now, kind: 'retry', nextAttemptAt: decision.at, countsAttempt: true, error, attempt: attempt('failed', outcome.status, outcome.message) }
          : {
              id: d.id,
              at: now,
              kind: 'dead',
              cause: 'expired',
              countsAttempt: true,
              error: { status: outcome.status, cause: outcome.cause, message: outcome.message, expired: decision.reason },
              attempt: attempt('expired', outcome.status, `${outcome.message}; ${decision.reason}`),
            };
      });
      const category = failureCategory(outcome);
      const reason = outcome.status === null ? outcome.cause : `HTTP ${outcome.status}`;
      return { results, failures: [{ syncId, category, reason, at: now, count: items.length, sample: sample(items[0] as QueuedDelivery, outcome.status, outcome.message) }] };
    }
  }
}
