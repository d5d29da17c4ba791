import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PendingDelivery } from '../../store/delivery-types.js';
import { DeliveryQueue } from './delivery-queue.js';

const LIMITS = { maxItems: 100, maxBodyBytes: 500_000 };

function row(id: number, person: string, nextAttemptAt = 0, itemJson = `{"n":${id}}`): PendingDelivery {
  return { id, syncId: 1, person, action: 'event', itemJson, attempts: 0, sends: 0, nextAttemptAt, createdAt: 0 };
}

const ids = (batch: { items: { id: number }[] }) => batch.items.map((i) => i.id);

describe('DeliveryQueue', () => {
  it('takes every person with their items in id order, mixing persons in one batch', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'a'), row(2, 'b'), row(3, 'a'), row(4, 'c'), row(5, 'b')]);
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [1, 3, 2, 5, 4]);
    assert.equal(queue.cursor, 5);
  });

  it('holds a person while a batch with their items is in flight, and nobody else', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'a'), row(2, 'b')]);
    const first = queue.takeBatch(0, { ...LIMITS, maxItems: 1 });
    assert.deepEqual(ids(first), [1]);
    queue.add([row(3, 'a'), row(4, 'c')]);
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [2, 4], "a's later item waits for the batch in flight");
    queue.complete(first, [{ id: 1, done: true }]);
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [3]);
  });

  it('holds a person whose first item waits for a retry (a barrier), and sends it when due', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'a'), row(2, 'b')]);
    const batch = queue.takeBatch(0, LIMITS);
    queue.complete(batch, [
      { id: 1, done: false, nextAttemptAt: 5000 },
      { id: 2, done: true },
    ]);
    queue.add([row(3, 'a'), row(4, 'b')]);
    assert.deepEqual(ids(queue.takeBatch(1000, LIMITS)), [4]);
    assert.equal(queue.nextDueAt(), 5000);
    assert.equal(queue.hasReady(4999), false);
    assert.deepEqual(ids(queue.takeBatch(5000, LIMITS)), [1, 3], 'the retried item goes first, then the held one');
  });

  it('keeps batches within the item cap and the body size, splitting a person only at the end of a batch', () => {
    const queue = new DeliveryQueue();
    const big = `"${'x'.repeat(200_000)}"`;
    queue.add([row(1, 'a', 0, big), row(2, 'b', 0, big), row(3, 'c', 0, big)]);
    const first = queue.takeBatch(0, LIMITS);
    assert.deepEqual(ids(first), [1, 2]);
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [3]);
    const capped = new DeliveryQueue();
    capped.add([row(1, 'a'), row(2, 'a'), row(3, 'a'), row(4, 'b')]);
    assert.deepEqual(ids(capped.takeBatch(0, { ...LIMITS, maxItems: 2 })), [1, 2]);
    assert.deepEqual(ids(capped.takeBatch(0, { ...LIMITS, maxItems: 2 })), [4], "a's third item waits for its first two");
  });

  it('puts released items back without counting an attempt', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'a')]);
    const batch = queue.takeBatch(0, LIMITS);
    queue.release(batch, 2000);
    assert.equal(queue.hasReady(1999), false);
    const again = queue.takeBatch(2000, LIMITS);
    assert.deepEqual(ids(again), [1]);
    assert.equal(again.items[0]?.attempts, 0);
    assert.equal(again.items[0]?.sends, 0, 'not sent: its next request is still its first');
    queue.release(again, 2000, true);
    const sent = queue.takeBatch(2000, LIMITS);
    assert.deepEqual([sent.items[0]?.attempts, sent.items[0]?.sends], [0, 1], 'sent without a recorded result: its next request is a retry');
  });

  it('moves a merged device\'s items to the user, before the user\'s later items, and keeps the barrier', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'device:d'), row(2, 'device:d')]);
    const inFlight = queue.takeBatch(0, { ...LIMITS, maxItems: 1 });
    assert.deepEqual(ids(inFlight), [1]);
    queue.add([row(3, 'user:u')]); // the identify that merges d into u
    queue.rekey('device:d', 'user:u');
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [], 'u is busy: one of its (moved) items is in flight');
    queue.complete(inFlight, [{ id: 1, done: true }]);
    assert.deepEqual(ids(queue.takeBatch(0, LIMITS)), [2, 3]);
  });

  it('skips deliveries it already holds', () => {
    const queue = new DeliveryQueue();
    queue.add([row(1, 'a'), row(2, 'a')]);
    queue.add([row(2, 'a'), row(3, 'a')]);
    assert.equal(queue.size, 3);
  });
});
