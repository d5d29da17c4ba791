import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects key by key and keeps what the patch does not name', () => {
    assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 4 } }), { a: 1, b: { c: 4, d: 3 } });
  });

  it('removes a key patched with null', () => {
    assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2 } }, { b: null }), { a: 1 });
    assert.deepEqual(applyMergePatch({ a: 1 }, { missing: null }), { a: 1 });
  });

  it('replaces lists whole instead of merging them', () => {
    assert.deepEqual(applyMergePatch({ list: [1, 2, 3] }, { list: [4] }), { list: [4] });
  });

  it('replaces a scalar target with an object patch, and the whole target with a non-object patch', () => {
    assert.deepEqual(applyMergePatch({ a: 'text' }, { a: { b: 1 } }), { a: { b: 1 } });
    assert.deepEqual(applyMergePatch({ a: 1 }, ['x']), ['x']);
  });

  it('modifies neither input and keeps __proto__ keys as data', () => {
    const target = { a: { b: 1 } };
    const patch = JSON.parse('{"a":{"c":2},"__proto__":{"polluted":true}}') as unknown;
    const result = applyMergePatch(target, patch) as Record<string, unknown>;
    assert.deepEqual(target, { a: { b: 1 } });
    assert.deepEqual(Object.keys(result), ['a', '__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
