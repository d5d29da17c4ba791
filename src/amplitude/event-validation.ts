import {
  MAX_EVENT_PROPERTY_STRING_LENGTH,
  MAX_EVENT_TIME_AHEAD_MS,
  MAX_STRING_LENGTH,
  MIN_EVENT_TIME_MS,
  RESERVED_INVALID_IDS,
} from './limits.js';
import { normalizeValue, TOO_DEEP, truncateString } from './normalize-value.js';
import { hasOwn, isPlainObject, setOwn, type JsonObject } from './plain-data.js';
import { isValidUserPropertyUpdate } from './user-property-operations.js';

/** What one request's events look like after validation: ready to commit. */
export interface AcceptedEvent {
  /** The event as sent, with over-long strings cut; `time` is left as sent. */
  payload: JsonObject;
  eventType: string;
  userId: string | null;
  deviceId: string | null;
  /** Event time in ms: the sent `time`, or the receive time when none was sent. */
  time: number;
  insertId: string | null;
  /** The `user_properties` payload (plain keys or operations), when there is one. */
  userProperties: JsonObject | null;
  /** `$skip_user_properties_sync`: the profile is neither read nor updated. */
  skipUserPropertiesSync: boolean;
}

/** Field name → indexes of the events with that problem (Amplitude's reply shape). */
export type IndexMap = Record<string, number[]>;

export interface EventProblems {
  invalidFields: IndexMap;
  missingFields: IndexMap;
  invalidIdLengths: IndexMap;
}

export type EventValidationResult =
  | { ok: true; events: AcceptedEvent[] }
  | { ok: false; problems: EventProblems };

export interface ValidationContext {
  minIdLength: number;
  receivedAt: number;
  /** `identify`: Identify API identifications (no event_type, no time: they are user updates). */
  kind: 'event' | 'identify';
}

/** The event type an identification is stored under. */
export const IDENTIFY_EVENT_TYPE = '$identify';

/** Events of this type carry group properties, not user properties. */
export const GROUP_IDENTIFY_EVENT_TYPE = '$groupidentify';

type FieldType = 'string' | 'integer' | 'number' | 'object' | 'boolean';

/**
 * Types of the documented top-level event fields. A field that is absent or null is not
 * checked; a present field of the wrong type is an invalid field. Undocumented fields pass through.
 */
const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  app_version: 'string',
  platform: 'string',
  os_name: 'string',
  os_version: 'string',
  device_brand: 'string',
  device_manufacturer: 'string',
  device_model: 'string',
  carrier: 'string',
  country: 'string',
  region: 'string',
  city: 'string',
  dma: 'string',
  language: 'string',
  productId: 'string',
  revenueType: 'string',
  currency: 'string',
  ip: 'string',
  idfa: 'string',
  idfv: 'string',
  adid: 'string',
  android_id: 'string',
  android_app_set_id: 'string',
  user_agent: 'string',
  partner_id: 'string',
  library: 'string',
  version_name: 'string',
  start_version: 'string',
  paying: 'string',
  receipt: 'string',
  receiptSig: 'string',
  session_id: 'integer',
  event_id: 'integer',
  quantity: 'integer',
  price: 'number',
  revenue: 'number',
  location_lat: 'number',
  location_lng: 'number',
  event_properties: 'object',
  user_properties: 'object',
  groups: 'object',
  group_properties: 'object',
  plan: 'object',
  ingestion_metadata: 'object',
  $skip_user_properties_sync: 'boolean',
};

/**
 * Validates a request's events the way Amplitude does and collects every problem as index maps,
 * so an SDK can drop exactly the bad events and re-send the rest. Nothing is accepted unless
 * every event is valid.
 */
export function validateEvents(events: readonly unknown[], context: ValidationContext): EventValidationResult {
  // index maps are keyed by the clients' field names: no prototype, so `toString` is just a name
  const problems: EventProblems = { invalidFields: Object.create(null), missingFields: Object.create(null), invalidIdLengths: Object.create(null) };
  const accepted: AcceptedEvent[] = [];
  let failed = false;
  for (let index = 0; index < events.length; index++) {
    const result = validateEvent(events[index], index, context, problems);
    if (result === undefined) failed = true;
    else if (!failed) accepted.push(result);
  }
  if (!failed) return { ok: true, events: accepted };
  // plain objects again for the reply (spreading defines each key as an own property, `__proto__` too)
  return {
    ok: false,
    problems: { invalidFields: { ...problems.invalidFields }, missingFields: { ...problems.missingFields }, invalidIdLengths: { ...problems.invalidIdLengths } },
  };
}

function note(map: IndexMap, field: string, index: number): void {
  let list = hasOwn(map, field) ? map[field] : undefined;
  if (list === undefined) {
    list = [];
    setOwn(map, field, list);
  }
  if (list[list.length - 1] !== index) list.push(index);
}

function validateEvent(
  raw: unknown,
  index: number,
  context: ValidationContext,
  problems: EventProblems,
): AcceptedEvent | undefined {
  if (!isPlainObject(raw)) {
    note(problems.invalidFields, 'event', index);
    return undefined;
  }
  let valid = true;
  const payload: JsonObject = { ...raw };

  let eventType: string = IDENTIFY_EVENT_TYPE;
  if (context.kind === 'event') {
    const value = payload.event_type;
    if (value === undefined || value === null || value === '') {
      note(problems.missingFields, 'event_type', index);
      valid = false;
    } else if (typeof value !== 'string') {
      note(problems.invalidFields, 'event_type', index);
      valid = false;
    } else {
      eventType = truncateString(value);
      payload.event_type = eventType;
    }
  }

  // Amplitude removes a too-short id from the event; the event is refused only when that leaves it
  // with no valid id (reference §3.3, case 11), and the short ids are then what is reported.
  const checkedUser = checkId(payload, 'user_id', index, context, problems);
  const checkedDevice = checkId(payload, 'device_id', index, context, problems);
  const userId = checkedUser === TOO_SHORT ? null : checkedUser;
  const deviceId = checkedDevice === TOO_SHORT ? null : checkedDevice;
  if (typeof userId === 'string' || typeof deviceId === 'string') {
    if (checkedUser === TOO_SHORT) delete payload.user_id;
    if (checkedDevice === TOO_SHORT) delete payload.device_id;
  } else {
    if (checkedUser === TOO_SHORT) note(problems.invalidIdLengths, 'user_id', index);
    if (checkedDevice === TOO_SHORT) note(problems.invalidIdLengths, 'device_id', index);
  }
  if (userId === false || deviceId === false) valid = false;
  else if (userId === null && deviceId === null) {
    if (checkedUser !== TOO_SHORT && checkedDevice !== TOO_SHORT) {
      note(problems.missingFields, 'user_id', index);
      note(problems.missingFields, 'device_id', index);
    }
    valid = false;
  }

  let time = context.receivedAt;
  if (context.kind === 'event' && payload.time !== undefined && payload.time !== null) {
    const value = payload.time;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < MIN_EVENT_TIME_MS ||
      value > context.receivedAt + MAX_EVENT_TIME_AHEAD_MS
    ) {
      note(problems.invalidFields, 'time', index);
      valid = false;
    } else {
      time = value;
    }
  }

  let insertId: string | null = null;
  if (payload.insert_id !== undefined && payload.insert_id !== null) {
    if (typeof payload.insert_id !== 'string' || payload.insert_id === '') {
      note(problems.invalidFields, 'insert_id', index);
      valid = false;
    } else {
      insertId = truncateString(payload.insert_id);
      payload.insert_id = insertId;
    }
  }

  for (const field of Object.keys(payload)) {
    const type = hasOwn(FIELD_TYPES, field) ? FIELD_TYPES[field] : undefined;
    const value = payload[field];
    if (value === undefined || value === null) continue;
    if (type !== undefined && !hasType(value, type)) {
      note(problems.invalidFields, field, index);
      valid = false;
      continue;
    }
    if (typeof value === 'object') {
      const normalized = normalizeValue(
        value,
        field === 'event_properties' ? MAX_EVENT_PROPERTY_STRING_LENGTH : MAX_STRING_LENGTH,
      );
      if (normalized === TOO_DEEP) {
        note(problems.invalidFields, field, index);
        valid = false;
        continue;
      }
      if (normalized !== value) setOwn(payload, field, normalized);
    } else if (typeof value === 'string' && field !== 'user_id' && field !== 'device_id') {
      const cut = truncateString(value);
      if (cut !== value) setOwn(payload, field, cut);
    }
  }

  const userProperties = payload.user_properties;
  if (userProperties !== undefined && userProperties !== null && !isValidUserPropertyUpdate(userProperties)) {
    note(problems.invalidFields, 'user_properties', index);
    valid = false;
  }

  if (!valid) return undefined;
  if (context.kind === 'identify') payload.event_type = IDENTIFY_EVENT_TYPE;
  return {
    payload,
    eventType,
    userId: userId === false ? null : userId,
    deviceId: deviceId === false ? null : deviceId,
    time,
    insertId,
    userProperties: isPlainObject(userProperties) ? userProperties : null,
    skipUserPropertiesSync: payload.$skip_user_properties_sync === true,
  };
}

/** An id shorter than the minimum: removed from the event, or reported when no valid id is left. */
const TOO_SHORT = Symbol('too short');

/**
 * Checks `user_id` or `device_id`: absent or null gives null; a reserved id or a non-string is an
 * invalid field (noted here; gives false); a string shorter than the minimum gives TOO_SHORT (the
 * caller decides). A valid id is cut to 1024 characters, like every string.
 */
function checkId(
  payload: JsonObject,
  field: 'user_id' | 'device_id',
  index: number,
  context: ValidationContext,
  problems: EventProblems,
): string | null | false | typeof TOO_SHORT {
  const value = payload[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || RESERVED_INVALID_IDS.has(value.toLowerCase())) {
    note(problems.invalidFields, field, index);
    return false;
  }
  if (value.length < context.minIdLength) return TOO_SHORT;
  const id = truncateString(value);
  payload[field] = id;
  return id;
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isPlainObject(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

export function hasProblems(problems: EventProblems): boolean {
  return (
    Object.keys(problems.invalidFields).length > 0 ||
    Object.keys(problems.missingFields).length > 0 ||
    Object.keys(problems.invalidIdLengths).length > 0
  );
}
