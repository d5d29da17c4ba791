import { isValid as isValidUlid } from 'ulid';
import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import {
  MAX_ATTRIBUTE_NAME_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_ATTRIBUTES_PER_IDENTIFY,
  MAX_EVENT_DATA_BYTES,
  MAX_EVENT_NAME_BYTES,
  MAX_IDENTIFIER_BYTES,
} from '../customerio/limits.js';
import { jsonByteLength, utf8ByteLength } from '../customerio/utf8.js';

/** One validation problem: v1 replies list the messages, v2 replies the whole object. */
export interface Violation {
  reason: 'invalid' | 'required' | 'parse_error';
  field: string;
  message: string;
}

/** Error strings from Customer.io's docs (reference §6.2); those marked are our own wording. */
export const MESSAGES = {
  idNotString: 'id attribute must be a string value',
  idEmpty: 'id attribute cannot be an empty string',
  /** Our wording: the real message is unconfirmed. */
  identifierTooLong: `identifier cannot be longer than ${MAX_IDENTIFIER_BYTES} bytes`,
  tooManyAttributes: `cannot identify more than ${MAX_ATTRIBUTES_PER_IDENTIFY} attributes in one request`,
  nameTooLong: `attribute name cannot be longer than ${MAX_ATTRIBUTE_NAME_BYTES} bytes`,
  valueTooLong: (name: string) => `value for attribute '${name}' cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`,
  eventNameBlank: 'event name must not be blank',
  eventNameTooLong: `event name cannot be longer than ${MAX_EVENT_NAME_BYTES} bytes`,
  eventDataNotHash: 'event data must be a hash',
  eventDataTooLong: `event data cannot be longer than ${MAX_EVENT_DATA_BYTES} bytes`,
  /** Our wording: Customer.io rejects non-ULID ids, with an unconfirmed message. */
  eventIdNotUlid: 'event id must be a valid ULID',
  /** Our wording. */
  eventTypeInvalid: 'event type must be one of event, page, screen',
} as const;

/** Keys whose values are structured by design and not held to the 1000-byte value limit. */
const STRUCTURED_KEYS: ReadonlySet<string> = new Set(['cio_relationships', 'cio_subscription_preferences']);

function valueBytes(value: unknown): number {
  return typeof value === 'string' ? utf8ByteLength(value) : jsonByteLength(value);
}

/** The identifier limit for a path segment or v2 identifier value. */
export function identifierViolation(value: string, field: string): Violation | undefined {
  return utf8ByteLength(value) > MAX_IDENTIFIER_BYTES ? { reason: 'invalid', field, message: MESSAGES.identifierTooLong } : undefined;
}

/**
 * Identify attribute rules, every violation collected: `id` type, attribute count, name and value
 * sizes. `prefix` is the v2 field prefix (`attributes.`), empty for v1.
 */
export function identifyViolations(attributes: JsonObject, prefix: string): Violation[] {
  const violations: Violation[] = [];
  if (Object.prototype.hasOwnProperty.call(attributes, 'id')) {
    if (typeof attributes.id !== 'string') violations.push({ reason: 'invalid', field: `${prefix}id`, message: MESSAGES.idNotString });
    else if (attributes.id === '') violations.push({ reason: 'invalid', field: `${prefix}id`, message: MESSAGES.idEmpty });
  }
  const keys = Object.keys(attributes);
  if (keys.length > MAX_ATTRIBUTES_PER_IDENTIFY) violations.push({ reason: 'invalid', field: prefix.replace(/\.$/, ''), message: MESSAGES.tooManyAttributes });
  const longName = keys.find((key) => utf8ByteLength(key) > MAX_ATTRIBUTE_NAME_BYTES);
  if (longName !== undefined) violations.push({ reason: 'invalid', field: `${prefix}${longName}`, message: MESSAGES.nameTooLong });
  for (const key of keys) {
    if (STRUCTURED_KEYS.has(key) || valueBytes(attributes[key]) <= MAX_ATTRIBUTE_VALUE_BYTES) continue;
    violations.push({ reason: 'invalid', field: `${prefix}${key}`, message: MESSAGES.valueTooLong(key) });
  }
  return violations;
}

export interface ValidEvent {
  name: string;
  type: 'event' | 'page' | 'screen';
  eventId: string | null;
  data: JsonObject;
}

/**
 * Event rules shared by v1 (`data`) and v2 (`attributes`): a non-blank name of at most 100 bytes
 * after trimming, data that is an object of at most 100,000 bytes, a ULID `id`, a known `type`.
 */
export function eventViolations(
  fields: { name: unknown; data: unknown; id: unknown; type: unknown },
  dataField: string,
): { violations: Violation[]; event: ValidEvent } {
  const violations: Violation[] = [];
  const name = typeof fields.name === 'string' ? fields.name.trim() : '';
  if (name === '') violations.push({ reason: 'required', field: 'name', message: MESSAGES.eventNameBlank });
  else if (utf8ByteLength(name) > MAX_EVENT_NAME_BYTES) violations.push({ reason: 'invalid', field: 'name', message: MESSAGES.eventNameTooLong });
  let data: JsonObject = {};
  if (fields.data !== undefined && fields.data !== null) {
    if (!isPlainObject(fields.data)) violations.push({ reason: 'invalid', field: dataField, message: MESSAGES.eventDataNotHash });
    else if (jsonByteLength(fields.data) > MAX_EVENT_DATA_BYTES) violations.push({ reason: 'invalid', field: dataField, message: MESSAGES.eventDataTooLong });
    else data = fields.data;
  }
  let eventId: string | null = null;
  if (fields.id !== undefined && fields.id !== null) {
    if (typeof fields.id !== 'string' || !isValidUlid(fields.id)) violations.push({ reason: 'invalid', field: 'id', message: MESSAGES.eventIdNotUlid });
    else eventId = fields.id;
  }
  let type: ValidEvent['type'] = 'event';
  if (fields.type !== undefined) {
    if (fields.type === 'event' || fields.type === 'page' || fields.type === 'screen') type = fields.type;
    else violations.push({ reason: 'invalid', field: 'type', message: MESSAGES.eventTypeInvalid });
  }
  return { violations, event: { name, type, eventId, data } };
}
