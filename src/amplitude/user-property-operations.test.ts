import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyUserPropertyOperations as apply,
  diffProfiles,
  isValidUserPropertyUpdate,
} from './user-property-operations.js';

describe('applyUserPropertyOperations', () => {
  it('treats a plain object as $set of each key', () => {
    assert.deepEqual(apply({ a: 1, b: 2 }, { b: 3, c: 'x' }), { a: 1, b: 3, c: 'x' });
  });

  it('never modifies the profile it was given', () => {
    const profile = { tags: ['a'], n: 1 };
    apply(profile, { $append: { tags: 'b' }, $add: { n: 1 }, $unset: { n: '-' } });
    assert.deepEqual(profile, { tags: ['a'], n: 1 });
  });

  it('$set overwrites and adds', () => {
    assert.deepEqual(apply({ plan: 'free' }, { $set: { plan: 'pro', seats: 3 } }), { plan: 'pro', seats: 3 });
  });

  it('$setOnce sets only properties without a value', () => {
    assert.deepEqual(apply({ plan: 'free', gone: null }, { $setOnce: { plan: 'pro', first: 'web', gone: 1 } }), {
      plan: 'free',
      first: 'web',
      gone: 1,
    });
  });

  it('$add increments; a missing property starts at 0', () => {
    assert.deepEqual(apply({ logins: 2 }, { $add: { logins: 3, visits: 1.5 } }), { logins: 5, visits: 1.5 });
    assert.deepEqual(apply({ n: 1 }, { $add: { n: -4 } }), { n: -3 });
  });

  it('$add on a non-number treats the current value as 0; a numeric string counts as its number', () => {
    assert.deepEqual(apply({ n: 'abc' }, { $add: { n: 2 } }), { n: 2 });
    assert.deepEqual(apply({ n: true }, { $add: { n: 2 } }), { n: 2 });
    assert.deepEqual(apply({ n: ['x'] }, { $add: { n: 2 } }), { n: 2 });
    assert.deepEqual(apply({ n: '40' }, { $add: { n: 2 } }), { n: 42 });
  });

  it('$add that would overflow leaves the property alone (JSON cannot hold Infinity)', () => {
    assert.deepEqual(apply({ n: 1e308 }, { $add: { n: 1e308 } }), { n: 1e308 });
  });

  it('$add with an operand that is not a number leaves the property alone', () => {
    assert.deepEqual(apply({ n: 1 }, { $add: { n: 'lots' } }), { n: 1 });
    assert.deepEqual(apply({ n: 1 }, { $add: { n: null } }), { n: 1 });
    assert.deepEqual(apply({ n: 1 }, { $add: { n: '2' } }), { n: 3 });
  });

  it('$append adds to the end; a missing property starts as []; a list adds each item; duplicates allowed', () => {
    assert.deepEqual(apply({}, { $append: { tags: 'a' } }), { tags: ['a'] });
    assert.deepEqual(apply({ tags: ['a'] }, { $append: { tags: ['b', 'a'] } }), { tags: ['a', 'b', 'a'] });
  });

  it('$append on a scalar turns it into a list first', () => {
    assert.deepEqual(apply({ tags: 'a' }, { $append: { tags: 'b' } }), { tags: ['a', 'b'] });
    assert.deepEqual(apply({ n: 5 }, { $append: { n: 6 } }), { n: [5, 6] });
  });

  it('$prepend adds to the front, keeping the order of a sent list', () => {
    assert.deepEqual(apply({ tags: ['c'] }, { $prepend: { tags: ['a', 'b'] } }), { tags: ['a', 'b', 'c'] });
    assert.deepEqual(apply({ tags: 'c' }, { $prepend: { tags: 'b' } }), { tags: ['b', 'c'] });
  });

  it('$preInsert and $postInsert add only values not already present', () => {
    assert.deepEqual(apply({ tags: ['a', 'b'] }, { $preInsert: { tags: ['a', 'z', 'y', 'z'] } }), {
      tags: ['z', 'y', 'a', 'b'],
    });
    assert.deepEqual(apply({ tags: ['a', 'b'] }, { $postInsert: { tags: ['b', 'c'] } }), { tags: ['a', 'b', 'c'] });
    assert.deepEqual(apply({}, { $postInsert: { tags: 'x' } }), { tags: ['x'] });
    assert.deepEqual(apply({ objs: [{ k: 1 }] }, { $postInsert: { objs: [{ k: 1 }, { k: 2 }] } }), {
      objs: [{ k: 1 }, { k: 2 }],
    });
  });

  it('$remove removes every occurrence of each value', () => {
    assert.deepEqual(apply({ tags: ['a', 'b', 'a', 'c'] }, { $remove: { tags: 'a' } }), { tags: ['b', 'c'] });
    assert.deepEqual(apply({ tags: ['a', 'b', 'c'] }, { $remove: { tags: ['a', 'c', 'q'] } }), { tags: ['b'] });
    assert.deepEqual(apply({ plan: 'pro' }, { $remove: { plan: 'pro' } }), {});
    assert.deepEqual(apply({ plan: 'pro' }, { $remove: { plan: 'free' } }), { plan: 'pro' });
    assert.deepEqual(apply({}, { $remove: { tags: 'a' } }), {});
  });

  it('$unset removes properties (by object keys or a list of names)', () => {
    assert.deepEqual(apply({ a: 1, b: 2, c: 3 }, { $unset: { a: '-' } }), { b: 2, c: 3 });
    assert.deepEqual(apply({ a: 1, b: 2, c: 3 }, { $unset: ['a', 'b'] }), { c: 3 });
  });

  it('$clearAll removes everything before the other operations apply', () => {
    assert.deepEqual(apply({ a: 1, b: 2 }, { $clearAll: '-' }), {});
    assert.deepEqual(apply({ a: 1, b: 2 }, { $clearAll: '-', $set: { c: 3 } }), { c: 3 });
  });

  it('applies operations in Amplitude order, not payload order', () => {
    // $add comes before $append, $set before $setOnce and $add, $unset before $set.
    const update = {
      $append: { tags: 'b' },
      $add: { n: 1 },
      $setOnce: { n: 100 },
      $set: { n: 10, gone: 'back' },
      $unset: { gone: '-' },
      $remove: { tags: 'a' },
      $preInsert: { tags: 'a' },
    };
    assert.deepEqual(apply({ tags: ['x'], gone: 'old' }, update), { tags: ['x', 'b'], n: 11, gone: 'back' });
  });

  it('two operations on one property both apply, in order', () => {
    assert.deepEqual(apply({}, { $set: { n: 5 }, $add: { n: 1 } }), { n: 6 });
    assert.deepEqual(apply({ tags: ['a'] }, { $append: { tags: 'b' }, $prepend: { tags: 'z' }, $remove: { tags: 'a' } }), {
      tags: ['z', 'b'],
    });
  });

  it('applies stray non-operation keys last, as $set', () => {
    assert.deepEqual(apply({}, { $add: { n: 1 }, n: 7, plan: 'paid' }), { n: 7, plan: 'paid' });
  });

  it('keeps __proto__ and constructor as ordinary data and never touches Object.prototype', () => {
    const update = JSON.parse('{"$set":{"__proto__":{"polluted":true},"constructor":"c"},"__proto__":{"x":1}}');
    const result = apply({}, update);
    assert.deepEqual(Object.keys(result).sort(), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(JSON.stringify(result), '{"__proto__":{"x":1},"constructor":"c"}');
  });

  it('keeps dotted keys flat and values typed', () => {
    const result = apply({}, { $set: { 'utm.source': 'news', zip: '01234', n: 7, ok: true, o: { a: [1] } } });
    assert.deepEqual(result, { 'utm.source': 'news', zip: '01234', n: 7, ok: true, o: { a: [1] } });
  });
});

describe('isValidUserPropertyUpdate', () => {
  it('accepts plain objects, operations with object operands, $unset lists and any $clearAll value', () => {
    assert.equal(isValidUserPropertyUpdate({ a: 1 }), true);
    assert.equal(isValidUserPropertyUpdate({ $set: { a: 1 }, $clearAll: '-' }), true);
    assert.equal(isValidUserPropertyUpdate({ $unset: ['a'] }), true);
  });
  it('refuses non-objects and operations whose operand is not an object', () => {
    assert.equal(isValidUserPropertyUpdate([]), false);
    assert.equal(isValidUserPropertyUpdate('x'), false);
    assert.equal(isValidUserPropertyUpdate({ $set: 'x' }), false);
    assert.equal(isValidUserPropertyUpdate({ $add: [1] }), false);
  });
});

describe('diffProfiles', () => {
  it('lists added, changed and removed properties with their values', () => {
    assert.deepEqual(diffProfiles({ a: 1, b: [1], c: 'x' }, { a: 1, b: [1, 2], d: null }), {
      b: { from: [1], to: [1, 2] },
      d: { to: null },
      c: { from: 'x' },
    });
  });
  it('is empty when nothing changed, comparing deeply', () => {
    assert.deepEqual(diffProfiles({ o: { x: [1, { y: 2 }] } }, { o: { x: [1, { y: 2 }] } }), {});
  });
});
