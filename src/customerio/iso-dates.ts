import { isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';

/**
 * Strict ISO-8601: `YYYY-MM-DD`, optionally followed by `T` or one space and `HH:MM`, optional
 * `:SS` with 1 to 9 fractional digits, and a zone `Z`, `±hh:mm` or `±hhmm` (none means UTC).
 */
const STRICT_ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Milliseconds since the epoch for a UTC date and time; correct for years 0 to 99 too. */
function utcMilliseconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * Unix seconds (floored) for a strict ISO-8601 date or datetime that names a real calendar date
 * and time; `undefined` for anything else (partial dates, digit-only strings, 2025-02-30, 24:00).
 */
export function parseStrictIsoDate(text: string): number | undefined {
  const match = STRICT_ISO_DATE.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , sign, oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const utcMs = utcMilliseconds(year, month, day, hour, minute, second);
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return Math.floor((utcMs - (sign === undefined ? 0 : offsetMs)) / 1000);
}

/**
 * Replaces every strict ISO-8601 date string inside `value` (recursively through objects and
 * arrays) by its unix seconds. Dates before 1970 stay strings, as do strings that are not strict
 * ISO dates. Returns a new value; the input is never modified. `converted` counts replacements.
 */
export function convertIsoDates(value: unknown): { value: unknown; converted: number } {
  let converted = 0;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const seconds = parseStrictIsoDate(node);
      if (seconds === undefined || seconds < 0) return node;
      converted++;
      return seconds;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node)) {
      const out: JsonObject = {};
      for (const key of Object.keys(node)) setOwn(out, key, walk(node[key]));
      return out;
    }
    return node;
  };
  return { value: walk(value), converted };
}
