import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackOutcome } from '../../customerio/track-outcome.js';
import { failureCategory, judgeBatch } from './batch-outcome.js';
import type { QueuedDelivery } from './delivery-queue.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

const NOW = 1_000_000;
const items: QueuedDelivery[] = [1, 2, 3].map((id) => ({
  id,
  syncId: 7,
  person: `user:u${id}`,
  action: 'event',
  itemJson: JSON.stringify({ type: 'person', action: 'event', name: `E${id}` }),
  attempts: 0,
  sends: 0,
  nextAttemptAt: 0,
  createdAt: NOW - 10,
  bytes: 10,
}));

const judge = (outcome: TrackOutcome, list = items) => judgeBatch(7, list, outcome, NOW, DEFAULT_RETRY_POLICY, () => 0.5);

describe('judgeBatch', () => {
  it('delivered: every item delivered, counted as an attempt', () => {
    const verdict = judge({ kind: 'delivered', status: 200 });
    assert.deepEqual(verdict.results.map((r) => [r.kind, r.countsAttempt]), [['delivered', true], ['delivered', true], ['delivered', true]]);
    assert.deepEqual(verdict.failures, []);
  });

  it('207: the named items are dead-lettered with Customer.io\'s words; the others delivered', () => {
    const verdict = judge({ kind: 'items_rejected', status: 207, othersAccepted: true, failures: [{ batchIndex: 1, reason: 'invalid', field: 'attributes.note', message: 'too long' }] });
    assert.deepEqual(verdict.results.map((r) => r.kind), ['delivered', 'dead', 'delivered']);
    const dead = verdict.results[1] as { cause: string; error: unknown };
    assert.equal(dead.cause, 'rejected');
    assert.deepEqual(dead.error, { status: 207, reason: 'invalid', field: 'attributes.note', message: 'too long' });
    assert.deepEqual(verdict.failures.map((f) => [f.category, f.count]), [['invalid_attribute', 1]]);
  });

  it('400 naming items: the others are sent again at once without using an attempt', () => {
    const verdict = judge({ kind: 'items_rejected', status: 400, othersAccepted: false, failures: [{ batchIndex: 0, reason: 'invalid', field: 'identifiers.id', message: 'bad' }] });
    assert.deepEqual(verdict.results.map((r) => [r.kind, r.countsAttempt]), [['dead', true], ['retry', false], ['retry', false]]);
    assert.equal((verdict.results[1] as { nextAttemptAt: number }).nextAttemptAt, NOW);
    assert.deepEqual((verdict.results[1] as { error: unknown }).error, { status: 400, cause: 'batch_refused', message: 'another item of its batch was refused; sent again' });
    assert.equal(verdict.failures[0]?.category, 'identifier_conflict');
  });

  it('429: items wait as told, no attempt used, the limiter is told', () => {
    const verdict = judge({ kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    assert.deepEqual(verdict.results.map((r) => [r.kind, r.countsAttempt, (r as { nextAttemptAt?: number }).nextAttemptAt]), [
      ['retry', false, NOW + 2000],
      ['retry', false, NOW + 2000],
      ['retry', false, NOW + 2000],
    ]);
    assert.deepEqual(verdict.throttle, { retryAfterMs: 2000 });
  });

  it('401 or wrong region: the sync pauses with the reason; items held without using an attempt', () => {
    const verdict = judge({ kind: 'configuration', status: 401, problem: 'credentials_rejected', message: 'Unauthorized request' });
    assert.deepEqual(verdict.pause, { reason: 'Unauthorized request', problem: 'credentials_rejected', since: NOW });
    assert.ok(verdict.results.every((r) => r.kind === 'retry' && !r.countsAttempt));
    assert.equal(verdict.failures[0]?.category, 'bad_credentials');
  });

  it('5xx: retried with backoff; an item on its last attempt expires into the dead-letter store', () => {
    const lastTry = items.map((i, n) => ({ ...i, attempts: n === 0 ? DEFAULT_RETRY_POLICY.maxAttempts - 1 : 0 }));
    const verdict = judge({ kind: 'retryable', status: 503, cause: 'server_error', message: 'HTTP 503' }, lastTry);
    assert.deepEqual(verdict.results.map((r) => r.kind), ['dead', 'retry', 'retry']);
    assert.equal((verdict.results[0] as { cause: string }).cause, 'expired');
    assert.ok((verdict.results[1] as { nextAttemptAt: number }).nextAttemptAt > NOW);
    assert.deepEqual(verdict.failures.map((f) => [f.category, f.reason, f.count]), [['server_error', 'HTTP 503', 3]]);
  });

  it('names failure classes from a closed set', () => {
    assert.equal(failureCategory({ kind: 'retryable', status: null, cause: 'timeout', message: '' }), 'timeout');
    assert.equal(failureCategory({ kind: 'retryable', status: null, cause: 'connection_reset', message: '' }), 'connection');
    assert.equal(failureCategory({ kind: 'configuration', status: 307, problem: 'wrong_region', message: '' }), 'wrong_region');
    assert.equal(failureCategory({ kind: 'items_rejected', status: 413, othersAccepted: false, failures: [] }), 'item_too_large');
  });
});
