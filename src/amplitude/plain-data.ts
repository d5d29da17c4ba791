/**
 * Helpers for JSON data that came from a client. Keys such as `__proto__` or `constructor` are
 * ordinary data here: JSON.parse already makes them own properties, and everything that copies or
 * writes keys goes through these helpers so no key can ever reach an object's prototype.
 */

export type JsonObject = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `key` as an own, enumerable data property, even when the key is `__proto__`. */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function hasOwn(target: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** The own value of `key`, never an inherited one (`constructor` on `{}` is undefined here). */
export function getOwn(target: JsonObject, key: string): unknown {
  return hasOwn(target, key) ? target[key] : undefined;
}

/** A shallow copy that keeps `__proto__` keys as plain data (object spread defines properties). */
export function copyObject(source: JsonObject): JsonObject {
  return { ...source };
}

/** Deep equality for JSON values: same type, same keys, same order-independent object contents. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const key of keys) {
    if (!hasOwn(bo, key) || !jsonEqual(ao[key], bo[key])) return false;
  }
  return true;
}
