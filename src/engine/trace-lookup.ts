/**
 * What a trace looks events up by, read the same way by the admin API (`GET /api/trace`), the CLI
 * (`ampstream trace`, through that API) and the web UI's trace. Each face names the keys its own
 * way (`insert_id`, `--insert-id`); the rules are the same:
 * - a key given more than once is refused, naming it (which value was meant is anyone's guess), as
 *   any parameter is (src/query-params.ts), with a hint that only the keys get;
 * - an empty value means the key is not given (the UI's form sends its empty fields);
 * - a value over 1024 characters is refused: ingestion cuts ids to 1024 characters, so no stored
 *   event has it;
 * - values are matched exactly as given, spaces included (ingestion stores ids as sent);
 * - several keys combine: an event must match every one given (user_id and device_id: the user's
 *   events from that device);
 * - the events come oldest first, a page at a time (`limit`, default 20, at most 100); a reply says
 *   where the next page starts (`next_after`, the seq of its last event), null when there is none.
 */
import { MAX_STRING_LENGTH } from '../amplitude/limits.js';
import { givenMoreThanOnce } from '../query-params.js';
import type { EventQuery } from '../store/types.js';

export const TRACE_KEYS = ['insert_id', 'user_id', 'device_id'] as const;
export type TraceKey = (typeof TRACE_KEYS)[number];

/** The keys a trace asks for, each at most once. */
export type TraceLookup = Partial<Record<TraceKey, string>>;

export interface TraceLookupProblem {
  field: TraceKey;
  message: string;
}

/** How a face names a key in its messages (the admin API: as is; the CLI: its option). */
export type KeyName = (key: TraceKey) => string;
const asIs: KeyName = (key) => key;

/** What a look-up key given more than once is told (the hint belongs to the keys, not to `limit` or `project_id`). */
export const KEY_REPEAT_HINT = 'to trace several events, trace them one at a time';
export const KEY_REPEAT_HINTS: Readonly<Record<string, string>> = Object.fromEntries(TRACE_KEYS.map((key) => [key, KEY_REPEAT_HINT]));

export function keyGivenMoreThanOnce(name: string): string {
  return givenMoreThanOnce(name, KEY_REPEAT_HINT);
}

/** Events a trace shows at a time unless asked otherwise, and at most. */
export const TRACE_PAGE = 20;
export const TRACE_PAGE_MAX = 100;

/** Which page of a trace: at most `limit` events, oldest first, after the event with seq `after`. */
export interface TracePaging {
  after?: number;
  limit: number;
}

/**
 * The paging of a query (`after`, `limit`; the UI gives only `after`), or what is wrong with it. As
 * with the keys, an empty value is not given and one given more than once is refused.
 */
export function readTracePaging(params: Record<string, unknown>, name: (parameter: 'after' | 'limit') => string = (p) => p): { paging: TracePaging } | { problem: { field: 'after' | 'limit'; message: string } } {
  const paging: TracePaging = { limit: TRACE_PAGE };
  for (const parameter of ['after', 'limit'] as const) {
    const value = params[parameter];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) return { problem: { field: parameter, message: givenMoreThanOnce(name(parameter)) } };
    const text = String(value);
    const number = /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
    if (parameter === 'after') {
      if (number === undefined) return { problem: { field: parameter, message: `${name(parameter)} must be an event's seq, a whole number (the next_after of the previous page)` } };
      paging.after = number;
    } else {
      if (number === undefined || number < 1 || number > TRACE_PAGE_MAX) return { problem: { field: parameter, message: `${name(parameter)} must be a whole number from 1 to ${TRACE_PAGE_MAX}` } };
      paging.limit = number;
    }
  }
  return { paging };
}

/** The lookup of a query (its insert_id, user_id and device_id), or what is wrong with it. */
export function readTraceLookup(params: Record<string, unknown>, name: KeyName = asIs): { lookup: TraceLookup } | { problem: TraceLookupProblem } {
  const lookup: TraceLookup = {};
  for (const key of TRACE_KEYS) {
    const value = params[key];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) return { problem: { field: key, message: keyGivenMoreThanOnce(name(key)) } };
    if (typeof value !== 'string') return { problem: { field: key, message: `${name(key)} must be text` } };
    if (value.length > MAX_STRING_LENGTH) {
      return {
        problem: {
          field: key,
          message: `${name(key)} is ${value.length} characters long; ids are cut to ${MAX_STRING_LENGTH} characters when ingested, so no event has it`,
        },
      };
    }
    lookup[key] = value;
  }
  return { lookup };
}

export function isEmptyLookup(lookup: TraceLookup): boolean {
  return TRACE_KEYS.every((key) => lookup[key] === undefined);
}

/** "give insert_id, user_id or device_id", in a face's names. */
export function giveAKey(name: KeyName = asIs): string {
  const names = TRACE_KEYS.map(name);
  return `give ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** The store query of a lookup (without project and limit). */
export function lookupQuery(lookup: TraceLookup): Pick<EventQuery, 'insertId' | 'userId' | 'deviceId'> {
  return {
    ...(lookup.insert_id === undefined ? {} : { insertId: lookup.insert_id }),
    ...(lookup.user_id === undefined ? {} : { userId: lookup.user_id }),
    ...(lookup.device_id === undefined ? {} : { deviceId: lookup.device_id }),
  };
}
