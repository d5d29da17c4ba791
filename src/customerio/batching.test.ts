import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchBody, packBatches } from './batching.js';
import type { TrackItem } from './track-items.js';
import { utf8ByteLength } from './utf8.js';

function eventItem(person: string, seq: number, padding = 0): { item: TrackItem; person: string; seq: number } {
  return {
    person,
    seq,
    item: {
      type: 'person',
      action: 'event',
      identifiers: { id: person },
      name: `e${seq}`,
      id: '01KDX4T5G0AAAAAAAAAAAAAAAA',
      timestamp: 1767225600,
      attributes: { pad: 'x'.repeat(padding) },
    },
  };
}

describe('packBatches', () => {
  it('keeps every request body within the byte limit, measured exactly', () => {
    const entries = Array.from({ length: 60 }, (_, i) => eventItem(`user-${i % 7}`, i, 10_000));
    const { batches, tooLarge } = packBatches(entries);
    assert.equal(tooLarge.length, 0);
    assert.ok(batches.length >= 2);
    for (const batch of batches) {
      const body = batchBody(batch.entries.map((e) => e.item));
      assert.equal(utf8ByteLength(body), batch.bodyBytes);
      assert.ok(batch.bodyBytes <= 500_000);
    }
  });

  it('fills a batch up to exactly the limit and no further', () => {
    const entries = [eventItem('a', 1, 100), eventItem('a', 2, 100)];
    const exact = utf8ByteLength(batchBody(entries.map((e) => e.item)));
    assert.equal(packBatches(entries, { maxBodyBytes: exact }).batches.length, 1);
    assert.equal(packBatches(entries, { maxBodyBytes: exact - 1 }).batches.length, 2);
  });

  it('keeps every entry, in order, so each person keeps their order', () => {
    const entries = Array.from({ length: 40 }, (_, i) => eventItem(`user-${i % 3}`, i, 5_000));
    const { batches } = packBatches(entries, { maxBodyBytes: 60_000 });
    const flattened = batches.flatMap((b) => b.entries);
    assert.deepEqual(flattened.map((e) => e.seq), entries.map((e) => e.seq));
    for (const person of ['user-0', 'user-1', 'user-2']) {
      const seqs = flattened.filter((e) => e.person === person).map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    }
  });

  it('honours the item cap', () => {
    const entries = Array.from({ length: 10 }, (_, i) => eventItem('a', i));
    assert.deepEqual(packBatches(entries, { maxItems: 4 }).batches.map((b) => b.entries.length), [4, 4, 2]);
  });

  it('sets aside an entry too large for any request, and packs the rest', () => {
    const entries = [eventItem('a', 1), eventItem('b', 2, 2_000), eventItem('a', 3)];
    const { batches, tooLarge } = packBatches(entries, { maxBodyBytes: 1_000 });
    assert.deepEqual(tooLarge.map((e) => e.seq), [2]);
    assert.deepEqual(batches.flatMap((b) => b.entries.map((e) => e.seq)), [1, 3]);
  });

  it('makes no batch from nothing', () => {
    assert.deepEqual(packBatches([]), { batches: [], tooLarge: [] });
  });
});
