import { DEFAULT_MIN_ID_LENGTH, HTTP_V2_MAX_EVENTS, IDENTIFY_MAX_IDENTIFICATIONS } from './limits.js';
import { isPlainObject } from './plain-data.js';
import { replies, type AmplitudeReply } from './responses.js';

/** An HTTP V2, Batch or Identify request whose envelope is sound; its events are not checked yet. */
export interface UploadEnvelope {
  apiKey: string;
  events: unknown[];
  minIdLength: number;
}

export type EnvelopeResult = { ok: true; envelope: UploadEnvelope } | { ok: false; reply: AmplitudeReply };

/**
 * Parses the JSON body of `/2/httpapi` or `/batch`: `{api_key, events, options.min_id_length}`,
 * with at most `maxEvents` events (HTTP V2's limit unless told; `/batch` passes its own).
 * Extra top-level keys the SDKs send (`client_upload_time`, `request_metadata`) are ignored.
 */
export function parseUploadBody(raw: Buffer | string | undefined, maxEvents: number = HTTP_V2_MAX_EVENTS): EnvelopeResult {
  if (raw === undefined || raw.length === 0) return { ok: false, reply: replies.missingBody() };
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reply: replies.invalidJson() };
  }
  if (!isPlainObject(body)) return { ok: false, reply: replies.notAnObject() };
  return checkEnvelope(body.api_key, body.events, body.options, 'events', maxEvents);
}

/**
 * Checks the parts every ingestion request has. `itemsField` names the list in errors
 * (`events`, or `identification` for the Identify API); more than `maxItems` is a 413.
 */
export function checkEnvelope(
  apiKey: unknown,
  items: unknown,
  options: unknown,
  itemsField: string,
  maxItems: number,
): EnvelopeResult {
  if (apiKey === undefined || apiKey === null || apiKey === '') {
    return { ok: false, reply: replies.missingField('api_key') };
  }
  if (typeof apiKey !== 'string') return { ok: false, reply: replies.invalidApiKey() };
  if (items === undefined || items === null) return { ok: false, reply: replies.missingField(itemsField) };
  if (!Array.isArray(items)) {
    return { ok: false, reply: replies.invalidEventJson(`${itemsField} must be an array`) };
  }
  if (items.length === 0) return { ok: false, reply: replies.missingField(itemsField) };
  if (items.length > maxItems) return { ok: false, reply: replies.payloadTooLarge() };
  let minIdLength = DEFAULT_MIN_ID_LENGTH;
  if (options !== undefined && options !== null) {
    if (!isPlainObject(options)) return { ok: false, reply: replies.invalidOptions('options must be an object') };
    const value = options.min_id_length;
    if (value !== undefined && value !== null) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        return { ok: false, reply: replies.invalidOptions('min_id_length must be a positive integer') };
      }
      minIdLength = value;
    }
  }
  return { ok: true, envelope: { apiKey, events: items, minIdLength } };
}

/**
 * Parses the Identify API's fields (from a urlencoded or multipart body, or a GET query):
 * `api_key` and `identification`, JSON text of one object or an array of objects.
 */
export function parseIdentifyFields(fields: Record<string, unknown>): EnvelopeResult {
  const apiKey = fields.api_key;
  const text = fields.identification;
  if (apiKey === undefined || apiKey === '') return { ok: false, reply: replies.missingField('api_key') };
  if (text === undefined || text === '') return { ok: false, reply: replies.missingField('identification') };
  if (typeof text !== 'string') {
    return { ok: false, reply: replies.invalidEventJson('identification must be sent once, as JSON text') };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reply: replies.invalidEventJson('identification is not valid JSON') };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return checkEnvelope(apiKey, list, undefined, 'identification', IDENTIFY_MAX_IDENTIFICATIONS);
}
