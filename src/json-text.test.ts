import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonText } from './json-text.js';

describe('parseJsonText', () => {
  it('gives the value of good JSON', () => {
    assert.deepEqual(parseJsonText('{"a": [1, "x"]}'), { ok: true, value: { a: [1, 'x'] } });
  });

  it('names the line and column of a mistake V8 locates', () => {
    assert.deepEqual(parseJsonText('{\n  "name": "x",\n  "enabled": true,\n}'), { ok: false, problem: 'not valid JSON (line 4, column 1)' });
  });

  it('never quotes the text, which may hold a key', () => {
    const result = parseJsonText('{"customerio": {"api_key": sk_live_0123456789abcdef}}');
    assert.deepEqual(result, { ok: false, problem: 'not valid JSON' });
  });

  it('refuses a __proto__ key wherever it is, naming the place instead of calling the text invalid', () => {
    assert.deepEqual(parseJsonText('{"name": "x", "__proto__": {"a": 1}}'), {
      ok: false,
      field: '__proto__',
      problem: '__proto__: a "__proto__" key is not allowed; remove it',
    });
    const nested = parseJsonText('{"syncs": [{"customerio": {"\\u005f_proto__": {}}}]}');
    assert.deepEqual(nested, { ok: false, field: 'syncs.0.customerio.__proto__', problem: 'syncs.0.customerio.__proto__: a "__proto__" key is not allowed; remove it' });
  });

  it('refuses a constructor object holding prototype, as fastify does, and keeps a plain constructor key', () => {
    const refused = parseJsonText('{"a": {"constructor": {"prototype": {"x": 1}}}}');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.field, 'a.constructor');
    assert.deepEqual(parseJsonText('{"constructor": "c", "b": [{"constructor": {}}]}'), { ok: true, value: { constructor: 'c', b: [{ constructor: {} }] } });
  });

  it('reads deeply nested text without overflowing the stack', () => {
    const depth = 100_000;
    // a constructor key makes it look at every level
    const result = parseJsonText(`{"constructor": 1, "deep": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
    assert.equal(result.ok, true);
  });

  it('skips a byte order mark, as fastify does, so a file saved with one reads', () => {
    assert.deepEqual(parseJsonText('\ufeff{"name": "x"}'), { ok: true, value: { name: 'x' } });
  });

  it('finds keys written with escaped letters', () => {
    const escaped = parseJsonText('{"a": {"\\u0063onstructor": {"prototype": {}}}, "b": {"_\\u005fproto__" : 1}}');
    assert.equal(!escaped.ok && escaped.field, 'a.constructor');
    assert.equal(parseJsonText('{"proto": "__proto__", "x": ["constructor"]}').ok, true, 'as values they are plain data');
  });
});
