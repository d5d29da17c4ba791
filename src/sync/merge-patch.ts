import { copyObject, getOwn, isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';

/**
 * JSON Merge Patch (RFC 7386): objects merge key by key, `null` removes a key, anything else
 * (strings, numbers, lists) replaces the target's value whole. Neither input is modified.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: JsonObject = isPlainObject(target) ? copyObject(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(getOwn(result, key), value));
  }
  return result;
}
