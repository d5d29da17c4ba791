import { copyObject, hasOwn, isPlainObject, jsonEqual, setOwn, type JsonObject } from './plain-data.js';

/**
 * Amplitude's user-property operations, applied in the order Amplitude's backend (and its SDKs'
 * local model) applies them within one payload. Keys of `user_properties` that are not operations
 * ("stray" keys) are applied last, as a `$set`.
 */
export const USER_PROPERTY_OPERATIONS = [
  '$clearAll',
  '$unset',
  '$set',
  '$setOnce',
  '$add',
  '$append',
  '$prepend',
  '$preInsert',
  '$postInsert',
  '$remove',
] as const;

export type UserPropertyOperation = (typeof USER_PROPERTY_OPERATIONS)[number];

const OPERATION_SET: ReadonlySet<string> = new Set(USER_PROPERTY_OPERATIONS);

export function isUserPropertyOperation(key: string): key is UserPropertyOperation {
  return OPERATION_SET.has(key);
}

/**
 * Whether a `user_properties` value has a shape we can apply: an object whose operation keys
 * (other than `$clearAll`, whose value is ignored) hold objects. `$unset` may also list names.
 */
export function isValidUserPropertyUpdate(update: unknown): boolean {
  if (!isPlainObject(update)) return false;
  for (const key of Object.keys(update)) {
    if (!isUserPropertyOperation(key) || key === '$clearAll') continue;
    const operand = update[key];
    if (isPlainObject(operand)) continue;
    if (key === '$unset' && Array.isArray(operand) && operand.every((name) => typeof name === 'string')) continue;
    return false;
  }
  return true;
}

/**
 * Applies one `user_properties` payload to a profile and returns the new profile; the input is
 * never modified. A payload without operation keys is a `$set` of each key.
 *
 * Choices where Amplitude's behaviour is undocumented (see docs/ingest.md):
 * - two operations on one property in one payload both apply, in the order above;
 * - `$add` treats a missing, null or non-numeric current value as 0; a numeric string counts as
 *   its number; an operand that is not a number (or numeric string), or a sum too large for a
 *   double, leaves the property alone;
 * - `$setOnce` treats a null current value as "no value yet";
 * - `$remove` on a scalar equal to a removed value deletes the property.
 */
export function applyUserPropertyOperations(profile: JsonObject, update: JsonObject): JsonObject {
  let next = copyObject(profile);
  const keys = Object.keys(update);
  const strayKeys = keys.filter((key) => !isUserPropertyOperation(key));

  if (hasOwn(update, '$clearAll')) next = {};
  for (const operation of USER_PROPERTY_OPERATIONS) {
    if (operation === '$clearAll' || !hasOwn(update, operation)) continue;
    const operand = update[operation];
    if (operation === '$unset') {
      const names = Array.isArray(operand) ? operand : isPlainObject(operand) ? Object.keys(operand) : [];
      for (const name of names) if (typeof name === 'string') delete next[name];
      continue;
    }
    if (!isPlainObject(operand)) continue;
    for (const property of Object.keys(operand)) {
      applyOne(next, operation, property, operand[property]);
    }
  }
  for (const key of strayKeys) setOwn(next, key, update[key]);
  return next;
}

function applyOne(target: JsonObject, operation: UserPropertyOperation, property: string, value: unknown): void {
  const present = hasOwn(target, property);
  const current = present ? target[property] : undefined;
  switch (operation) {
    case '$set':
      setOwn(target, property, value);
      return;
    case '$setOnce':
      if (current === undefined || current === null) setOwn(target, property, value);
      return;
    case '$add': {
      const amount = toNumber(value);
      if (amount === undefined) return;
      const sum = (toNumber(current) ?? 0) + amount;
      if (Number.isFinite(sum)) setOwn(target, property, sum); // an overflow would store null (JSON has no Infinity)
      return;
    }
    case '$append':
      setOwn(target, property, [...asList(current), ...asValues(value)]);
      return;
    case '$prepend':
      setOwn(target, property, [...asValues(value), ...asList(current)]);
      return;
    case '$preInsert': {
      const list = asList(current);
      const fresh = uniqueMissing(asValues(value), list);
      setOwn(target, property, [...fresh, ...list]);
      return;
    }
    case '$postInsert': {
      const list = asList(current);
      const fresh = uniqueMissing(asValues(value), list);
      setOwn(target, property, [...list, ...fresh]);
      return;
    }
    case '$remove': {
      if (!present) return;
      const removed = asValues(value);
      if (Array.isArray(current)) {
        setOwn(target, property, current.filter((item) => !removed.some((r) => jsonEqual(r, item))));
      } else if (removed.some((r) => jsonEqual(r, current))) {
        delete target[property];
      }
      return;
    }
    default:
      return;
  }
}

/** A numeric operand or current value: a finite number, or a string that is one. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** The current value as a list: missing means empty, a scalar becomes a one-item list. */
function asList(current: unknown): unknown[] {
  if (current === undefined || current === null) return [];
  return Array.isArray(current) ? current : [current];
}

/** An operand as the values it adds: a list adds each item, anything else adds itself. */
function asValues(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Values not already in `list`, in their sent order, each once. */
function uniqueMissing(values: unknown[], list: unknown[]): unknown[] {
  const fresh: unknown[] = [];
  for (const value of values) {
    if (list.some((item) => jsonEqual(item, value))) continue;
    if (fresh.some((item) => jsonEqual(item, value))) continue;
    fresh.push(value);
  }
  return fresh;
}

/** One property's change: `from` absent means it was not set; `to` absent means it was removed. */
export interface PropertyChange {
  from?: unknown;
  to?: unknown;
}

/** The top-level properties whose value differs between two profiles. */
export function diffProfiles(before: JsonObject, after: JsonObject): Record<string, PropertyChange> {
  const changes: Record<string, PropertyChange> = {};
  for (const key of Object.keys(after)) {
    const had = hasOwn(before, key);
    if (had && jsonEqual(before[key], after[key])) continue;
    const change: PropertyChange = had ? { from: before[key], to: after[key] } : { to: after[key] };
    setOwn(changes as JsonObject, key, change);
  }
  for (const key of Object.keys(before)) {
    if (!hasOwn(after, key)) setOwn(changes as JsonObject, key, { from: before[key] });
  }
  return changes;
}
