import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutToUtf8Bytes, jsonByteLength, utf8ByteLength } from './utf8.js';

describe('cutToUtf8Bytes', () => {
  it('returns a string that fits unchanged', () => {
    assert.equal(cutToUtf8Bytes('hello', 5), 'hello');
    assert.equal(cutToUtf8Bytes('', 0), '');
  });

  it('cuts ASCII at exactly the byte limit', () => {
    assert.equal(cutToUtf8Bytes('abcdef', 4), 'abcd');
  });

  it('never splits a 2-byte character', () => {
    // 'é' is 2 bytes: 3 of them are 6 bytes; 5 bytes hold only two
    assert.equal(cutToUtf8Bytes('ééé', 5), 'éé');
    assert.equal(cutToUtf8Bytes('ééé', 4), 'éé');
  });

  it('never splits a 3-byte or 4-byte character', () => {
    assert.equal(cutToUtf8Bytes('a—b', 3), 'a'); // '—' is 3 bytes
    assert.equal(cutToUtf8Bytes('a—b', 4), 'a—');
    assert.equal(cutToUtf8Bytes('x😀y', 4), 'x'); // the emoji is 4 bytes (a surrogate pair)
    assert.equal(cutToUtf8Bytes('x😀y', 5), 'x😀');
  });

  it('gives a result within the limit that is a prefix of the input, for every limit', () => {
    const text = 'Réservation — 😀 ok';
    for (let limit = 0; limit <= utf8ByteLength(text); limit++) {
      const cut = cutToUtf8Bytes(text, limit);
      assert.ok(utf8ByteLength(cut) <= limit, `limit ${limit}`);
      assert.ok(text.startsWith(cut), `limit ${limit}`);
      assert.ok(!cut.includes('\uFFFD'));
    }
  });

  it('counts JSON sizes in UTF-8 bytes', () => {
    assert.equal(jsonByteLength({ a: 'é' }), 10);
  });
});
