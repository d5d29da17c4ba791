/**
 * Amplitude's ingestion limits, as documented for the HTTP V2, Batch and Identify APIs
 * (see ../shared/reference/amplitude.md, sections 3 to 5).
 */

/** Ids shorter than this are refused unless the request sets `options.min_id_length`. */
export const DEFAULT_MIN_ID_LENGTH = 5;

/** Every string (ids, event type, fields, user and group properties) longer than this is cut to this many characters. */
export const MAX_STRING_LENGTH = 1024;

/**
 * Strings inside `event_properties` are cut here instead. Amplitude documents event properties of
 * up to 100k characters for property splitting, and Customer.io takes up to 100 KB of event data,
 * so cutting event properties at 1024 would throw away data the destination can take (case 15 of
 * ../shared/cases sends 10,000-character event properties and expects them delivered).
 */
export const MAX_EVENT_PROPERTY_STRING_LENGTH = 100_000;

/** Properties may nest at most this deep. */
export const MAX_PROPERTY_DEPTH = 40;

/** Most events one HTTP V2 request may carry: "< 2000" events a request (reference §3.4). */
export const HTTP_V2_MAX_EVENTS = 1999;
/** Most events one Batch request may carry: "2000 per batch" (reference §3.4). */
export const BATCH_MAX_EVENTS = 2000;
/** The Identify API's limit is not documented; identifications are held to HTTP V2's. */
export const IDENTIFY_MAX_IDENTIFICATIONS = HTTP_V2_MAX_EVENTS;

/**
 * Largest bodies accepted, in bytes (of the decoded body when compressed). The reference (§3.4)
 * gives HTTP V2 "< 1 MB" and Batch "≤ 20 MB" without defining MB; we read MB as 1,000,000 bytes
 * (SI), the stricter reading, so whatever ampstream accepts Amplitude accepts too. An SDK that
 * gets a 413 halves its batch and resends, so nothing is lost at the margin.
 */
export const HTTP_V2_BODY_LIMIT = 1_000_000 - 1;
export const BATCH_BODY_LIMIT = 20_000_000;
/** The Identify API's limit is not documented; we accept what Batch accepts. */
export const IDENTIFY_BODY_LIMIT = BATCH_BODY_LIMIT;

/** `time` must not be before 1990-01-01T00:00:00Z ... */
export const MIN_EVENT_TIME_MS = Date.UTC(1990, 0, 1);
/** ... nor more than one year after the time the request was received. */
export const MAX_EVENT_TIME_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;

/** An insert_id seen within this window (per project and device) is a duplicate. */
export const DEDUPE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Ids Amplitude refuses outright. The reference does not say whether the check ignores case;
 * we compare case-insensitively, so `NULL` and `Anonymous` are refused too.
 */
export const RESERVED_INVALID_IDS: ReadonlySet<string> = new Set([
  'anonymous',
  'nil',
  'none',
  'null',
  'n/a',
  'na',
  'undefined',
  'unknown',
  '',
  '""',
  '00000000-0000-0000-0000-000000000000',
  '{}',
  'lmy47d',
  '0',
  '-1',
]);
