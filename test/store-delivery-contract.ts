import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliveryPlanner } from '../src/engine/delivery-planner.js';
import { ingestProcessor } from '../src/engine/ingest-processor.js';
import { emptyDelta, minuteOf } from '../src/metrics/delivery-metrics.js';
import { readDeliveryError } from '../src/store/delivery-error.js';
import type { AttemptRecord, PendingDelivery, SyncRecord } from '../src/store/delivery-types.js';
import type { Store } from '../src/store/types.js';
import { validateSyncInput } from '../src/sync/sync-validation.js';
import { event, unit } from './store-contract.js';

const NOW = Date.UTC(2026, 11, 3, 12);
const processor = { ...ingestProcessor, planner: deliveryPlanner };
const attempt = (outcome: AttemptRecord['outcome'], status: number | null): AttemptRecord => ({ at: NOW, outcome, status });

function syncConfig(projectId: number, name: string, settings: Record<string, unknown> = {}) {
  return validateSyncInput({ name, project_id: projectId, customerio: { site_id: 's', api_key: 'k', region: 'us' }, send_users: { enabled: false }, ...settings }, 'create') as unknown as SyncRecord['config'];
}

/**
 * The sync and delivery half of the Store contract: syncs, deliveries planned in the ingest commit,
 * results, counts, metrics, failures and dead letters.
 */
export function storeDeliveryContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract, syncs and deliveries: ${name}`, () => {
    let store: Store;
    let projectId: number;
    let sync: SyncRecord;
    before(async () => {
      store = await open();
      projectId = (await store.createProject({ name: 'p', apiKeyHash: 'dh', apiKeyHint: 'dh', createdAt: NOW })).id;
      sync = await store.createSync({ projectId, enabled: true, config: syncConfig(projectId, 'main'), createdAt: NOW });
    });
    after(() => store.close());

    const ingest = async (...events: Parameters<typeof event>[0][]) => {
      const committed = await store.commitIngest([unit(projectId, events.map(event), NOW)], processor);
      await committed.durable;
      return committed;
    };

    it('creates, lists, updates, pauses and deletes syncs', async () => {
      const other = await store.createSync({ projectId, enabled: false, config: syncConfig(projectId, 'other'), createdAt: NOW });
      assert.deepEqual((await store.listSyncs(projectId)).map((s) => [s.id, s.enabled]), [
        [sync.id, true],
        [other.id, false],
      ]);
      await store.setSyncPause(other.id, { reason: 'Unauthorized request', problem: 'credentials_rejected', since: NOW });
      assert.equal((await store.getSync(other.id))?.pause?.problem, 'credentials_rejected');
      const updated = await store.updateSync(other.id, { config: syncConfig(projectId, 'renamed'), enabled: true, updatedAt: NOW + 1 });
      assert.ok(updated.kind === 'updated');
      assert.equal(updated.sync.pause, null, 'a config change clears a pause');
      assert.equal((updated.sync.config as { name: string }).name, 'renamed');
      const planned = emptyDelta();
      planned.planned = 5;
      await store.recordDeliveryResults(other.id, [], [{ syncId: other.id, minute: minuteOf(NOW), delta: planned }], [
        { syncId: other.id, category: 'timeout', reason: 'timeout', at: NOW, count: 1, sample: { item: {}, reply: { status: null, body: '' } } },
      ]);
      assert.equal(await store.deleteSync(other.id), true);
      assert.deepEqual(await store.metricBuckets(other.id, 'minute', 0, NOW * 2), [], 'its metrics go with it');
      assert.deepEqual(await store.failureGroups(other.id), []);
      assert.equal(await store.getSync(other.id), undefined);
      assert.equal(await store.deleteSync(other.id), false);
      const next = await store.createSync({ projectId, enabled: false, config: syncConfig(projectId, 'next'), createdAt: NOW });
      assert.ok(next.id > other.id, 'a deleted sync\'s id is never given to a new one');
      await store.deleteSync(next.id);
    });

    it('counts a revision per saved change; an update expecting another revision changes nothing', async () => {
      const created = await store.createSync({ projectId, enabled: true, config: syncConfig(projectId, 'revised'), createdAt: NOW });
      assert.equal(created.revision, 1);
      const first = await store.updateSync(created.id, { config: syncConfig(projectId, 'revised 2'), enabled: true, updatedAt: NOW + 1 });
      assert.equal(first.kind, 'updated');
      assert.equal(first.kind === 'updated' && first.sync.revision, 2, 'an update without an expected revision saves (last write wins)');
      await store.setSyncPause(created.id, { reason: 'Unauthorized request', problem: 'credentials_rejected', since: NOW });
      assert.equal((await store.getSync(created.id))?.revision, 2, 'a pause is not a change of the settings');

      const stale = await store.updateSync(created.id, { config: syncConfig(projectId, 'stale'), enabled: false, updatedAt: NOW + 2, expectedRevision: 1 });
      assert.equal(stale.kind, 'stale');
      assert.equal(stale.kind === 'stale' && stale.current.revision, 2);
      const kept = await store.getSync(created.id);
      assert.equal((kept?.config as { name: string }).name, 'revised 2', 'nothing of the stale update was saved');
      assert.equal(kept?.enabled, true);
      assert.equal(kept?.pause?.problem, 'credentials_rejected', 'nor was the pause cleared');
      assert.equal(kept?.updatedAt, NOW + 1);

      const current = await store.updateSync(created.id, { config: syncConfig(projectId, 'revised 3'), enabled: true, updatedAt: NOW + 3, expectedRevision: 2 });
      assert.equal(current.kind === 'updated' && current.sync.revision, 3);
      assert.equal((await store.listSyncs(projectId)).find((s) => s.id === created.id)?.revision, 3);
      assert.deepEqual(await store.updateSync(created.id + 1000, { config: syncConfig(projectId, 'x'), enabled: true, updatedAt: NOW, expectedRevision: 1 }), { kind: 'missing' });
      await store.deleteSync(created.id);
    });

    it('saves several syncs in one transaction: all of them, or none when one is missing or at another revision', async () => {
      const kept = await store.createSync({ projectId, enabled: true, config: syncConfig(projectId, 'kept'), createdAt: NOW });
      const before = await store.listSyncs();
      const create = [{ projectId, enabled: false, config: syncConfig(projectId, 'batch new'), createdAt: NOW + 1 }];
      const change = { id: kept.id, config: syncConfig(projectId, 'kept 2'), enabled: false, updatedAt: NOW + 1 };

      const stale = await store.saveSyncs({ create, update: [change, { ...change, id: sync.id, expectedRevision: sync.revision + 5 }] });
      assert.equal(stale.kind, 'stale');
      assert.equal(stale.kind === 'stale' && stale.current.id, sync.id);
      assert.deepEqual(await store.listSyncs(), before, 'nothing of a stale batch was saved');
      assert.deepEqual(await store.saveSyncs({ create, update: [change, { ...change, id: kept.id + 1000 }] }), { kind: 'missing', id: kept.id + 1000 });
      assert.deepEqual(await store.listSyncs(), before, 'nothing of a batch with a missing sync was saved');

      const saved = await store.saveSyncs({ create, update: [{ ...change, expectedRevision: kept.revision }] });
      assert.equal(saved.kind, 'saved');
      if (saved.kind !== 'saved') return;
      assert.deepEqual(saved.created.map((s) => [(s.config as { name: string }).name, s.enabled, s.revision, s.createdAt]), [['batch new', false, 1, NOW + 1]]);
      assert.deepEqual(saved.updated.map((s) => [s.id, (s.config as { name: string }).name, s.enabled, s.revision, s.updatedAt]), [[kept.id, 'kept 2', false, 2, NOW + 1]]);
      assert.deepEqual(await store.getSync(kept.id), saved.updated[0]);
      assert.deepEqual(await store.getSync(saved.created[0]?.id ?? 0), saved.created[0]);
      assert.deepEqual(await store.saveSyncs({ create: [], update: [] }), { kind: 'saved', created: [], updated: [] });
      for (const s of [kept, ...saved.created]) await store.deleteSync(s.id);
    });

    it('plans deliveries in the ingest commit for enabled syncs, with counts and metrics', async () => {
      const committed = await ingest({ userId: 'dc-user-1', insertId: 'dc-1' }, { userId: 'dc-user-2', insertId: 'dc-2' }, { deviceId: 'dc-anon', insertId: 'dc-3' });
      assert.deepEqual(committed.plannedSyncs, [sync.id]);
      const pending = await store.pendingDeliveries(sync.id, 0, 100);
      assert.deepEqual(pending.map((p) => [p.person, p.action, p.attempts, p.sends]), [
        ['user:dc-user-1', 'event', 0, 0],
        ['user:dc-user-2', 'event', 0, 0],
      ]);
      assert.deepEqual(await store.deliveryCounts(sync.id), { pending: 2, delivered: 0, dead: 0, discarded: 1 });
      const [bucket] = await store.metricBuckets(sync.id, 'minute', minuteOf(NOW), minuteOf(NOW) + 60_000);
      assert.equal(bucket?.delta.planned, 3);
      assert.equal(bucket?.delta.discarded, 1);
      assert.equal((await store.metricBuckets(sync.id, 'hour', NOW - 3_600_000, NOW + 3_600_000))[0]?.delta.planned, 3);
      assert.equal(await store.oldestPending(sync.id), NOW);
      assert.deepEqual((await store.pendingDeliveries(sync.id, pending[0]?.id ?? 0, 100)).map((p) => p.person), ['user:dc-user-2'], 'paged by id');
    });

    it('records results: counts move, history grows, failures are grouped with samples', async () => {
      const [first, second] = (await store.pendingDeliveries(sync.id, 0, 100)) as [PendingDelivery, PendingDelivery];
      // a first request started but never recorded (the process died) counts as one send, once
      await store.markSending(sync.id, [second.id], NOW);
      await store.markSending(sync.id, [second.id], NOW + 1);
      assert.deepEqual((await store.pendingDeliveries(sync.id, 0, 100)).map((p) => [p.attempts, p.sends]), [[0, 0], [0, 1]]);
      const delivered = emptyDelta();
      delivered.delivered = 1;
      await store.recordDeliveryResults(
        sync.id,
        [
          { id: first.id, at: NOW, kind: 'delivered', countsAttempt: true, attempt: attempt('delivered', 200) },
          { id: second.id, at: NOW, kind: 'retry', nextAttemptAt: NOW + 1000, countsAttempt: true, error: { status: 503, cause: 'server_error', message: 'HTTP 503' }, attempt: attempt('failed', 503) },
        ],
        [{ syncId: sync.id, minute: minuteOf(NOW), delta: delivered }],
        [{ syncId: sync.id, category: 'server_error', reason: 'HTTP 503', at: NOW, count: 1, sample: { item: { n: 1 }, reply: { status: 503, body: 'down' } } }],
      );
      assert.deepEqual(await store.deliveryCounts(sync.id), { pending: 1, delivered: 1, dead: 0, discarded: 1 });
      const [retried] = await store.pendingDeliveries(sync.id, 0, 100);
      assert.deepEqual([retried?.attempts, retried?.sends, retried?.nextAttemptAt], [1, 1, NOW + 1000]);
      const [waiting] = await store.findDeliveries({ syncId: sync.id, status: 'pending', limit: 10 });
      assert.deepEqual(readDeliveryError(waiting?.lastError ?? null), { status: 503, cause: 'server_error', message: 'HTTP 503' }, 'the error is stored as JSON');
      const [done] = await store.findDeliveries({ syncId: sync.id, status: 'delivered', limit: 10 });
      assert.deepEqual(done?.history, [attempt('delivered', 200)]);
      assert.equal(done?.deliveredAt, NOW);
      const [group] = await store.failureGroups(sync.id);
      assert.deepEqual([group?.category, group?.reason, group?.count, group?.samples.length], ['server_error', 'HTTP 503', 1, 1]);
      const [bucket] = await store.metricBuckets(sync.id, 'minute', minuteOf(NOW), minuteOf(NOW) + 60_000);
      assert.equal(bucket?.delta.delivered, 1);

      await store.recordDeliveryResults(
        sync.id,
        [{ id: second.id, at: NOW + 1000, kind: 'dead', cause: 'rejected', countsAttempt: true, error: { status: 207, reason: 'invalid', field: 'attributes.note', message: 'too long' }, attempt: attempt('rejected', 207) }],
        [],
        [],
      );
      assert.deepEqual(await store.deliveryCounts(sync.id), { pending: 0, delivered: 1, dead: 1, discarded: 1 });
      assert.equal(await store.deadLetterCount(sync.id), 1);
      assert.equal(await store.oldestPending(sync.id), null);
    });

    it('replays and drops dead letters, keeping the counts and metrics right', async () => {
      const [dead] = await store.listDeadLetters(sync.id, { cause: 'rejected' }, 0, 10);
      assert.equal(dead?.deadAt, NOW + 1000);
      assert.deepEqual(await store.listDeadLetters(sync.id, { cause: 'expired' }, 0, 10), []);
      const dying = emptyDelta();
      dying.dead = 1;
      await store.recordDeliveryResults(sync.id, [], [{ syncId: sync.id, minute: minuteOf(NOW + 1000), delta: dying }], []);
      const replay = await store.replayDeadLetters(sync.id, { ids: [dead?.id ?? 0] }, NOW + 5000);
      assert.deepEqual(replay.replayed.map((r) => [r.id, r.itemJson === dead?.itemJson, r.nextAttemptAt]), [[dead?.id, true, NOW + 5000]]);
      assert.deepEqual(await store.deliveryCounts(sync.id), { pending: 1, delivered: 1, dead: 0, discarded: 1 });
      const [bucket] = await store.metricBuckets(sync.id, 'minute', minuteOf(NOW), minuteOf(NOW) + 60_000);
      assert.equal(bucket?.delta.dead, 0, 'the replayed letter left the not-delivered counter');
      await store.recordDeliveryResults(
        sync.id,
        [{ id: dead?.id ?? 0, at: NOW + 6000, kind: 'dead', cause: 'expired', countsAttempt: true, error: { status: 503, cause: 'server_error', message: 'HTTP 503', expired: 'failed 3 attempts' }, attempt: attempt('expired', 503) }],
        [],
        [],
      );
      assert.equal(await store.dropDeadLetters(sync.id, { cause: 'expired' }, NOW + 7000), 1);
      assert.deepEqual(await store.listDeadLetters(sync.id, {}, 0, 10), []);
      assert.equal(await store.deadLetterCount(sync.id), 0);
      assert.deepEqual(await store.deliveryCounts(sync.id), { pending: 0, delivered: 1, dead: 1, discarded: 1 }, 'dropped letters stay not delivered');
      assert.deepEqual(await store.replayDeadLetters(sync.id, {}, NOW), { replayed: [], skipped: [] });
    });

    it('lists dead letters oldest death first (not in planning order), paged after the last one listed', async () => {
      await ingest({ userId: 'dl-order-1', insertId: 'dl-order-1' }, { userId: 'dl-order-2', insertId: 'dl-order-2' }, { userId: 'dl-order-3', insertId: 'dl-order-3' });
      const [first, second, third] = (await store.pendingDeliveries(sync.id, 0, 100)) as [PendingDelivery, PendingDelivery, PendingDelivery];
      const die = (id: number, at: number, cause: 'rejected' | 'expired') => ({
        id,
        at,
        kind: 'dead' as const,
        cause,
        countsAttempt: true,
        error: { status: 400, reason: 'invalid', field: '', message: 'refused' },
        attempt: attempt(cause, 400),
      });
      // planned first, died last; the other two die together (same time: by id)
      await store.recordDeliveryResults(sync.id, [die(second.id, NOW + 20_000, 'rejected'), die(third.id, NOW + 20_000, 'rejected')], [], []);
      await store.recordDeliveryResults(sync.id, [die(first.id, NOW + 30_000, 'expired')], [], []);
      const ids = async (afterId: number, limit = 10, selection = {}) => (await store.listDeadLetters(sync.id, selection, afterId, limit)).map((d) => d.id);
      assert.deepEqual(await ids(0), [second.id, third.id, first.id]);
      assert.deepEqual(await ids(0, 2), [second.id, third.id]);
      assert.deepEqual(await ids(third.id, 2), [first.id], 'the next page starts after the last letter listed');
      assert.deepEqual(await ids(second.id), [third.id, first.id]);
      assert.deepEqual(await ids(first.id), []);
      assert.deepEqual(await ids(0, 10, { from: NOW + 20_000, to: NOW + 30_000 }), [second.id, third.id], 'from inclusive, to exclusive');
      await store.dropDeadLetters(sync.id, {}, NOW + 40_000);
    });

    it('prunes old metric buckets', async () => {
      await store.pruneMetrics(NOW + 3_600_000, 0);
      assert.deepEqual(await store.metricBuckets(sync.id, 'minute', 0, NOW * 2), []);
      assert.equal((await store.metricBuckets(sync.id, 'hour', 0, NOW * 2)).length, 1);
    });

    it('records catalog names in the commit that plans deliveries: a failed planning records none', async () => {
      const failing = { ...processor, planner: { ...deliveryPlanner, plan: () => { throw new Error('planning failed'); } } };
      const units = [unit(projectId, [event({ userId: 'dc-cat-1', eventType: 'Planned', payload: { event_properties: { planned: 1 } } })], NOW)];
      const before = await store.catalog(projectId);
      await assert.rejects(store.commitIngest(units, failing), /planning failed/);
      assert.deepEqual(await store.catalog(projectId), before);
      await (await store.commitIngest(units, processor)).durable;
      const after = await store.catalog(projectId);
      assert.ok(after.eventTypes.includes('Planned') && after.eventProperties.includes('planned'), JSON.stringify(after));
    });
  });
}
