import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackOutcome } from '../customerio/track-outcome.js';
import type { Store } from '../store/types.js';
import { ServiceMetrics } from './prometheus.js';

const noSyncs = { listSyncs: async () => [] } as unknown as Store;

/** The delivery item counters after feeding `outcomes` (each with the batch's item count), by outcome label. */
async function itemCounts(outcomes: [TrackOutcome, number][]): Promise<Record<string, number>> {
  const metrics = new ServiceMetrics({ store: noSyncs, rateLimiters: () => new Map() });
  for (const [outcome, items] of outcomes) metrics.delivery(1, outcome, items, 5);
  const counts: Record<string, number> = {};
  for (const match of (await metrics.text()).matchAll(/^ampstream_delivery_items_total\{sync="1",outcome="(\w+)"\} (\S+)$/gm)) {
    counts[match[1] as string] = Number(match[2]);
  }
  return counts;
}

const failure = (batchIndex: number) => ({ batchIndex, reason: 'invalid', field: 'attributes.note', message: 'too long' });

describe('ampstream_delivery_items_total', () => {
  it('counts each item of a 207 by its own outcome: the accepted ones delivered, the named ones rejected', async () => {
    const partial: TrackOutcome = { kind: 'items_rejected', status: 207, failures: [failure(3), failure(7)], othersAccepted: true };
    assert.deepEqual(await itemCounts([[partial, 10]]), { delivered: 8, items_rejected: 2 });
  });

  it('counts an item named twice in one reply once', async () => {
    const partial: TrackOutcome = { kind: 'items_rejected', status: 207, failures: [failure(1), failure(1)], othersAccepted: true };
    assert.deepEqual(await itemCounts([[partial, 4]]), { delivered: 3, items_rejected: 1 });
  });

  it('counts the unnamed items of a 400 that refused the whole request as retryable (they are sent again)', async () => {
    const refused: TrackOutcome = { kind: 'items_rejected', status: 400, failures: [failure(0)], othersAccepted: false };
    assert.deepEqual(await itemCounts([[refused, 5]]), { items_rejected: 1, retryable: 4 });
  });

  it('counts whole-batch outcomes for every item', async () => {
    assert.deepEqual(
      await itemCounts([
        [{ kind: 'delivered', status: 200 }, 6],
        [{ kind: 'retryable', status: 503, cause: 'server_error', message: 'x' }, 3],
        [{ kind: 'rate_limited', status: 429, retryAfterMs: null }, 2],
      ]),
      { delivered: 6, retryable: 3, rate_limited: 2 },
    );
  });
});
