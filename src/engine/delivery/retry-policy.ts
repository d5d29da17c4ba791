/** How failed deliveries are retried (every value settable by flag and environment variable). */
export interface RetryPolicy {
  /** First backoff, doubled on each attempt (default 1,000 ms). */
  backoffBaseMs: number;
  /** Longest backoff (default 30 minutes). */
  backoffCapMs: number;
  /** Attempts before an item expires (default 10: the first and 9 retries, as Amplitude). */
  maxAttempts: number;
  /** Age after which an item that still fails expires (default 4 hours, as Amplitude). */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  backoffBaseMs: 1_000,
  backoffCapMs: 30 * 60 * 1000,
  maxAttempts: 10,
  maxAgeMs: 4 * 60 * 60 * 1000,
};

export type RetryDecision = { kind: 'retry'; at: number } | { kind: 'expired'; reason: string };

/**
 * What to do after a failed attempt. `attempts` counts attempts made so far, this one included.
 * The wait is exponential with jitter (between half and all of the exponential value), and never
 * shorter than a `Retry-After` the server gave. `random` is in [0, 1).
 */
export function decideRetry(
  attempts: number,
  createdAt: number,
  now: number,
  policy: RetryPolicy,
  random: number,
  retryAfterMs: number | null = null,
): RetryDecision {
  if (attempts >= policy.maxAttempts) {
    return { kind: 'expired', reason: `failed ${attempts} attempts (the limit is ${policy.maxAttempts})` };
  }
  const exponential = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  const wait = Math.max(exponential / 2 + (exponential / 2) * random, retryAfterMs ?? 0);
  if (now + wait - createdAt > policy.maxAgeMs) {
    return { kind: 'expired', reason: `still failing after ${Math.round((now - createdAt) / 1000)} s (the limit is ${Math.round(policy.maxAgeMs / 1000)} s)` };
  }
  return { kind: 'retry', at: now + wait };
}
