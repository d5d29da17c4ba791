/**
 * What a trace looks events up by, read the same way by the admin API (`GET /api/trace`), the CLI
 * (`ampstream trace`, through that API) and the web UI's trace. Each face names the keys its own
 * way (`insert_id`, `--insert-id`); the rules are the same:
 * - a key given more than once is refused, naming it (which value was meant is anyone's guess);
 * - an empty value means the key is not given (the UI's form sends its empty fields);
 * - a value over 1024 characters is refused: ingestion cuts ids to 1024 characters, so no stored
 *   event has it;
 * - values are matched exactly as given, spaces included (ingestion stores ids as sent);
 * - several keys combine: an event must match every one given (user_id and device_id: the user's
 *   events from that device).
 */
import { MAX_STRING_LENGTH } from '../amplitude/limits.js';
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

export function givenMoreThanOnce(name: string): string {
  return `${name} is given more than once; give it once (to trace several events, trace them one at a time)`;
}

/** The first of `names` a query gives more than once (a query-string parser makes it a list). */
export function repeatedParameter(query: Record<string, unknown>, names: readonly string[]): string | undefined {
  return names.find((name) => Array.isArray(query[name]));
}

/** The lookup of a query (its insert_id, user_id and device_id), or what is wrong with it. */
export function readTraceLookup(params: Record<string, unknown>, name: KeyName = asIs): { lookup: TraceLookup } | { problem: TraceLookupProblem } {
  const lookup: TraceLookup = {};
  for (const key of TRACE_KEYS) {
    const value = params[key];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) return { problem: { field: key, message: givenMoreThanOnce(name(key)) } };
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
