import { isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';
import { convertIsoDates } from './iso-dates.js';
import { MAX_ATTRIBUTE_NAME_BYTES, MAX_ATTRIBUTE_VALUE_BYTES } from './limits.js';
import { cutToUtf8Bytes, jsonByteLength, utf8ByteLength } from './utf8.js';

/** A sync's value options. */
export interface MappingOptions {
  /** Strict ISO-8601 date strings become unix seconds (default on). */
  convertDates: boolean;
  /** Every attribute value is sent as a string, as Amplitude's own destination does (default off). */
  stringifyValues: boolean;
}

export const DEFAULT_MAPPING_OPTIONS: MappingOptions = { convertDates: true, stringifyValues: false };

/** Something the mapping changed or left out to fit Customer.io's limits; each one is counted. */
export type Adjustment =
  | { kind: 'event_name_cut'; fromBytes: number; toBytes: number }
  | { kind: 'value_cut'; attribute: string; fromBytes: number; toBytes: number }
  | { kind: 'attribute_dropped'; attribute: string; reason: string };

/**
 * A value as text: strings as they are, `null` as "" (an empty value, which clears the attribute),
 * numbers and booleans as their JSON text, objects and arrays as JSON.
 */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** One value after the sync's options: dates converted first, then stringified. */
export function applyValueOptions(value: unknown, options: MappingOptions): unknown {
  const dated = options.convertDates ? convertIsoDates(value).value : value;
  return options.stringifyValues ? stringifyValue(dated) : dated;
}

/** Every value of an object after the sync's options. */
export function applyValueOptionsToAll(values: JsonObject, options: MappingOptions): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(values)) setOwn(out, key, applyValueOptions(values[key], options));
  return out;
}

/**
 * Fits one person attribute into Customer.io's limits: a name over 150 bytes cannot be sent; a
 * string value is cut to 1000 bytes on a character boundary; an object or array whose JSON is over
 * 1000 bytes cannot be sent (cutting it would change its structure). Returns `undefined` with the
 * adjustment when the attribute must be left out.
 */
export function fitPersonAttribute(
  name: string,
  value: unknown,
  adjustments: Adjustment[],
): { value: unknown } | undefined {
  const nameBytes = utf8ByteLength(name);
  if (nameBytes > MAX_ATTRIBUTE_NAME_BYTES) {
    adjustments.push({
      kind: 'attribute_dropped',
      attribute: name,
      reason: `attribute name is ${nameBytes} bytes, over Customer.io's ${MAX_ATTRIBUTE_NAME_BYTES}-byte limit`,
    });
    return undefined;
  }
  if (typeof value === 'string') {
    const cut = cutToUtf8Bytes(value, MAX_ATTRIBUTE_VALUE_BYTES);
    if (cut !== value) {
      adjustments.push({ kind: 'value_cut', attribute: name, fromBytes: utf8ByteLength(value), toBytes: utf8ByteLength(cut) });
    }
    return { value: cut };
  }
  if (Array.isArray(value) || isPlainObject(value)) {
    const bytes = jsonByteLength(value);
    if (bytes > MAX_ATTRIBUTE_VALUE_BYTES) {
      adjustments.push({
        kind: 'attribute_dropped',
        attribute: name,
        reason: `value is ${bytes} bytes of JSON, over Customer.io's ${MAX_ATTRIBUTE_VALUE_BYTES}-byte limit for one attribute`,
      });
      return undefined;
    }
  }
  return { value };
}
