import { AmpstreamError } from '../errors.js';
import { addInto, emptyDelta, HOUR_MS, HOUR_RETENTION_MS, MINUTE_MS, MINUTE_RETENTION_MS, percentileMs, type MetricDelta } from './delivery-metrics.js';

/** Amplitude's time periods for the Event Streaming Metrics Summary API. */
export const TIME_PERIODS = ['TEN_MINUTES', 'ONE_HOUR', 'FOUR_HOURS', 'ONE_DAY', 'ONE_WEEK', 'TWO_WEEKS', 'CUSTOM'] as const;
export type TimePeriod = (typeof TIME_PERIODS)[number];

const PERIOD_MS: Record<Exclude<TimePeriod, 'CUSTOM'>, number> = {
  TEN_MINUTES: 10 * MINUTE_MS,
  ONE_HOUR: HOUR_MS,
  FOUR_HOURS: 4 * HOUR_MS,
  ONE_DAY: 24 * HOUR_MS,
  ONE_WEEK: 7 * 24 * HOUR_MS,
  TWO_WEEKS: 14 * 24 * HOUR_MS,
};

/** Which buckets answer a period: [start, end) in ms, and their granularity. */
export interface PeriodRange {
  timePeriod: TimePeriod;
  start: number;
  end: number;
  granularity: 'minute' | 'hour';
}

/**
 * The range a request asks for. Periods up to four hours end now and read minute buckets; longer
 * ones read hour buckets, with the start rounded down to the hour. CUSTOM takes ISO-8601 `start`
 * (inclusive) and `end` (exclusive); a range reaching past the 90 days kept is a clear 400 (where
 * Amplitude answers 500).
 */
export function resolvePeriod(timePeriod: TimePeriod, now: number, start?: string, end?: string): PeriodRange {
  if (timePeriod !== 'CUSTOM') {
    const length = PERIOD_MS[timePeriod];
    const granularity = length <= MINUTE_RETENTION_MS ? 'minute' : 'hour';
    const unit = granularity === 'minute' ? MINUTE_MS : HOUR_MS;
    return { timePeriod, start: Math.floor((now - length) / unit) * unit, end: now, granularity };
  }
  if (start === undefined || end === undefined) {
    throw new AmpstreamError('invalid_request', 'start and end are required when time_period is CUSTOM', { field: start === undefined ? 'start' : 'end' });
  }
  const from = parseIsoInstant(start, 'start');
  const to = parseIsoInstant(end, 'end');
  if (to <= from) throw new AmpstreamError('invalid_request', 'end must be after start', { field: 'end' });
  if (from < now - HOUR_RETENTION_MS) {
    throw new AmpstreamError('invalid_request', 'start is more than 90 days ago: metrics are kept for 90 days', { field: 'start' });
  }
  const granularity = from >= now - MINUTE_RETENTION_MS ? 'minute' : 'hour';
  return { timePeriod, start: from, end: to, granularity };
}

function parseIsoInstant(text: string, field: string): number {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const value = Date.parse(match === null ? 'invalid' : match[3] === undefined ? `${text}Z` : text);
  if (Number.isNaN(value)) {
    throw new AmpstreamError('invalid_request', `${field} must be an ISO-8601 date and time such as 2022-10-01T07:00:00+01:00`, { field });
  }
  return value;
}

/** Amplitude's timestamp format in these replies: "2022-10-01 06:00:00.000000" (UTC). */
export function amplitudeTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export interface MetricsSummary {
  timePeriod: TimePeriod;
  eventsDelivered: number;
  eventsNotDelivered: number;
  deliveryRate: number;
  latencyInSeconds: number;
  timePeriodStart: string;
  timePeriodEnd: string;
  successOnFirstAttempt: number;
  successAfterRetry: number;
  eventsExpired: number;
  eventsDiscarded: number;
}

/** Adds up the buckets of a period into the summary Amplitude's API answers with. */
export function summarize(range: PeriodRange, buckets: readonly MetricDelta[]): MetricsSummary {
  const total = emptyDelta();
  for (const bucket of buckets) addInto(total, bucket);
  const settled = total.delivered + total.dead;
  return {
    timePeriod: range.timePeriod,
    eventsDelivered: total.delivered,
    eventsNotDelivered: total.dead,
    deliveryRate: settled === 0 ? 1 : total.delivered / settled,
    latencyInSeconds: (percentileMs(total.latency, 0.95) ?? 0) / 1000,
    timePeriodStart: amplitudeTimestamp(range.start),
    timePeriodEnd: amplitudeTimestamp(range.end),
    successOnFirstAttempt: total.firstAttempt,
    successAfterRetry: total.afterRetry,
    eventsExpired: total.expired,
    eventsDiscarded: total.discarded,
  };
}
