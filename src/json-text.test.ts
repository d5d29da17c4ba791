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
});
