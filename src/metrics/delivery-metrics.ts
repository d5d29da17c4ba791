/**
 * Delivery metrics per sync, as pure functions: what an outcome adds to the counters, and how
 * stored buckets add up to Amplitude's Event Streaming Metrics Summary. Counters are kept per
 * minute (for the last 4 hours) and per hour (for 90 days); latency as a histogram so any period's
 * percentiles can be computed from its buckets.
 */

/** Upper bounds (ms, inclusive) of the latency histogram's buckets; one more bucket holds the rest. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000,
];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** Minute buckets are kept this long, hour buckets 90 days (Amplitude's retention). */
export const MINUTE_RETENTION_MS = 4 * HOUR_MS;
export const HOUR_RETENTION_MS = 90 * 24 * HOUR_MS;

export interface MetricCounters {
  /** Every planned outcome: items to send, discards and items too large to send. */
  planned: number;
  delivered: number;
  /** Dead-lettered: refused by Customer.io, too large to send, or expired. */
  dead: number;
  /** Of `dead`, those that ran out of attempts or time. */
  expired: number;
  /** Not sent because the data cannot be sent (no identifier). */
  discarded: number;
  /** Delivered by the first request that carried them. */
  firstAttempt: number;
  /** Delivered after at least one earlier request carried them (a failure, a 429, a retry). */
  afterRetry: number;
  /** Requests of an item that did not deliver it and will be retried. */
  retried: number;
  /** Values cut to fit Customer.io's limits. */
  valuesCut: number;
  /** Event names cut to 100 bytes. */
  namesCut: number;
  /** Attributes left out (name too long, value too large). */
  attributesDropped: number;
}

export interface MetricDelta extends MetricCounters {
  /** Counts per LATENCY_BOUNDS_MS bucket (length LATENCY_BOUNDS_MS.length + 1), ingest to delivered. */
  latency: number[];
}

export function emptyDelta(): MetricDelta {
  return {
    planned: 0,
    delivered: 0,
    dead: 0,
    expired: 0,
    discarded: 0,
    firstAttempt: 0,
    afterRetry: 0,
    retried: 0,
    valuesCut: 0,
    namesCut: 0,
    attributesDropped: 0,
    latency: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
  };
}

export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= (LATENCY_BOUNDS_MS[i] as number)) return i;
  return LATENCY_BOUNDS_MS.length;
}

export function minuteOf(at: number): number {
  return Math.floor(at / MINUTE_MS) * MINUTE_MS;
}

export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** Deltas keyed by (sync, minute): what a set of outcomes adds. */
export class MetricDeltas {
  readonly byKey = new Map<string, { syncId: number; minute: number; delta: MetricDelta }>();

  at(syncId: number, at: number): MetricDelta {
    const minute = minuteOf(at);
    const key = `${syncId}|${minute}`;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = { syncId, minute, delta: emptyDelta() };
      this.byKey.set(key, entry);
    }
    return entry.delta;
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** One delivery's outcome after a request, as metrics need it. */
export interface OutcomeForMetrics {
  syncId: number;
  kind: 'delivered' | 'retry' | 'dead';
  at: number;
  /** When the delivery was planned (its event's ingest time). */
  createdAt: number;
  /** Requests that carried it before this one. */
  sendsBefore: number;
  /** Whether this outcome came from a request that carried the item. */
  sent: boolean;
  expired?: boolean;
}

export function addOutcome(deltas: MetricDeltas, outcome: OutcomeForMetrics): void {
  const delta = deltas.at(outcome.syncId, outcome.at);
  if (outcome.kind === 'delivered') {
    delta.delivered++;
    if (outcome.sendsBefore === 0) delta.firstAttempt++;
    else delta.afterRetry++;
    const bucket = latencyBucket(Math.max(0, outcome.at - outcome.createdAt));
    delta.latency[bucket] = (delta.latency[bucket] ?? 0) + 1;
  } else if (outcome.kind === 'dead') {
    delta.dead++;
    if (outcome.expired === true) delta.expired++;
  } else if (outcome.sent) {
    delta.retried++;
  }
}

/** Adds `delta` into `total` (both histograms the same length). */
export function addInto(total: MetricDelta, delta: MetricDelta): void {
  for (const key of Object.keys(delta) as (keyof MetricDelta)[]) {
    if (key === 'latency') continue;
    total[key] += delta[key];
  }
  delta.latency.forEach((n, i) => (total.latency[i] = (total.latency[i] ?? 0) + n));
}

/**
 * The p-th percentile (0..1) of a latency histogram in ms, interpolated linearly within the bucket
 * it falls in; undefined without samples. The open last bucket reports its lower bound.
 */
export function percentileMs(histogram: readonly number[], p: number): number | undefined {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = p * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
      const upper = LATENCY_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + ((rank - seen) / count) * (upper - lower);
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}
