import { MAX_PROPERTY_DEPTH, MAX_STRING_LENGTH } from './limits.js';
import { isPlainObject, setOwn, type JsonObject } from './plain-data.js';

/** Returned by {@link normalizeValue} when a value nests deeper than Amplitude allows. */
export const TOO_DEEP: unique symbol = Symbol('too deep');

/**
 * Cuts a string to Amplitude's 1024-character limit. Characters are UTF-16 code units, as in
 * Amplitude's JVM backend, but a surrogate pair is never split: the cut moves one unit back.
 */
export function truncateString(value: string, max = MAX_STRING_LENGTH): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/**
 * Walks a JSON value: strings longer than `maxLength` are cut, and a value nesting deeper than
 * `maxDepth` levels gives {@link TOO_DEEP}. The value itself is depth 1, so an object holding an
 * object is depth 2. Returns the same reference when nothing had to change.
 */
export function normalizeValue(value: unknown, maxLength = MAX_STRING_LENGTH, maxDepth = MAX_PROPERTY_DEPTH): unknown {
  return walk(value, 1, maxDepth, maxLength);
}

function walk(value: unknown, depth: number, maxDepth: number, maxLength: number): unknown {
  if (typeof value === 'string') return value.length > maxLength ? truncateString(value, maxLength) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > maxDepth) return TOO_DEEP;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const next = walk(item, depth + 1, maxDepth, maxLength);
      if (next === TOO_DEEP) return TOO_DEEP;
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const object = value as JsonObject;
  let copy: JsonObject | undefined;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const next = walk(item, depth + 1, maxDepth, maxLength);
    if (next === TOO_DEEP) return TOO_DEEP;
    if (next !== item) {
      copy ??= { ...object };
      setOwn(copy, key, next);
    }
  }
  return copy ?? object;
}

export { isPlainObject };
