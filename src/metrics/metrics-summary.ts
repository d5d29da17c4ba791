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

const DATE_AND_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Why the date (and time) an ISO-8601 text starts with is not on the calendar, or undefined when
 * it is. `Date.parse` rolls `2026-11-31` over to December 1 and `T24:00` to the next day; a caller
 * asking for November 31 has made a mistake worth saying.
 */
export function offCalendar(text: string): string | undefined {
  const match = DATE_AND_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as number[];
  if (month === undefined || month < 1 || month > 12) return 'months go from 01 to 12';
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year as number, month, 0);
  if (day === undefined || day < 1 || day > lastDay.getUTCDate()) return `${match[1]}-${match[2]} has days 01 to ${lastDay.getUTCDate()}`;
  if ((hour as number) > 23) return 'hours go from 00 to 23';
  if ((minute as number) > 59 || (second as number) > 59) return 'minutes and seconds go from 00 to 59';
  return undefined;
}

/** The words that say what a date-time parameter must be, with the reason when it is a real date that is not. */
export function instantProblem(text: string, field: string): string {
  const calendar = offCalendar(text);
  if (calendar !== undefined) return `${field} is not a date on the calendar: ${calendar}`;
  // `+01:00` sent unencoded in a query string arrives as " 01:00"
  const plusAsSpace = / \d{2}:?\d{2}$/.test(text) ? ' (a + in a query string must be sent as %2B)' : '';
  return `${field} must be an ISO-8601 date and time such as 2022-10-01T07:00:00+01:00${plusAsSpace}`;
}

/**
 * An ISO-8601 date and time (`2026-03-03T07:00`, seconds, fractions and a zone optional; none means
 * UTC) on the calendar, in milliseconds; anything else (`March 3`, a date alone, epoch numbers,
 * November 31) is a 400 naming `field`. For every date-time parameter of the admin API.
 */
export function parseIsoInstant(text: string, field: string): number {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const value = Date.parse(match === null ? 'invalid' : match[3] === undefined ? `${text}Z` : text);
  if (Number.isNaN(value) || offCalendar(text) !== undefined) throw new AmpstreamError('invalid_request', instantProblem(text, field), { field });
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
