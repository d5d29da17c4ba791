import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmpstreamError } from '../errors.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { IngestEvent, IngestProcessor, IngestUnit } from '../store/types.js';
import { GroupCommitter } from './group-commit.js';
import { ingestProcessor } from './ingest-processor.js';

function unit(requestId: string, userId: string, events = 1): IngestUnit {
  const list: IngestEvent[] = Array.from({ length: events }, (_, i) => ({
    payload: { event_type: 'E' },
    eventType: 'E',
    userId,
    deviceId: null,
    time: 1,
    insertId: `${requestId}-${i}`,
    insertIdGenerated: false,
    userProperties: null,
    skipUserPropertiesSync: false,
  }));
  return { projectId: 1, source: 'httpapi', requestId, receivedAt: Date.now(), events: list };
}

async function setup(processor: IngestProcessor = ingestProcessor, maxEvents = 1000) {
  const store = new SqliteStore({ path: ':memory:' });
  await store.createProject({ name: 'p', apiKeyHash: 'h', apiKeyHint: 'h', createdAt: 0 });
  const groups: number[] = [];
  const committer = new GroupCommitter(store, processor, {
    maxDelayMs: 0,
    maxEvents,
    onCommit: (stats) => {
      if (stats.ok) groups.push(stats.units);
    },
  });
  return { store, committer, groups };
}

describe('GroupCommitter', () => {
  it('commits requests that arrive together in one transaction, and answers each with its own outcome', async () => {
    const { store, committer, groups } = await setup();
    const outcomes = await Promise.all([
      committer.submit(unit('a', 'user-a', 2)),
      committer.submit(unit('b', 'user-b', 3)),
      committer.submit(unit('c', 'user-c', 1)),
    ]);
    assert.deepEqual(outcomes.map((o) => o.accepted), [2, 3, 1]);
    assert.deepEqual(groups, [3]);
    assert.equal(await store.countEvents(), 6);
    await store.close();
  });

  it('starts a group at once when it holds maxEvents events', async () => {
    const { committer, groups, store } = await setup(ingestProcessor, 4);
    await Promise.all([1, 2, 3, 4, 5].map((n) => committer.submit(unit(`r${n}`, `user-${n}`, 2))));
    assert.deepEqual(groups, [2, 2, 1], "two requests of 2 events fill a group of 4");
    assert.equal(groups.reduce((a, b) => a + b, 0), 5);
    await store.close();
  });

  it('keeps the order of requests: later requests see the profile changes of earlier ones', async () => {
    const { committer, store } = await setup();
    const first = unit('first', 'user-x');
    (first.events[0] as IngestEvent).userProperties = { $set: { plan: 'free' } };
    const second = unit('second', 'user-x');
    (second.events[0] as IngestEvent).userProperties = { $set: { plan: 'pro' } };
    await Promise.all([committer.submit(first), committer.submit(second)]);
    assert.deepEqual((await store.getProfile(1, 'user:user-x'))?.properties, { plan: 'pro' });
    await store.close();
  });

  it('fails only the request that cannot be committed when a group fails', async () => {
    const poisoned: IngestProcessor = {
      stateKeys: ingestProcessor.stateKeys,
      process: (units, state) => {
        if (units.some((u) => u.requestId === 'bad')) throw new Error('cannot process this request');
        return ingestProcessor.process(units, state);
      },
    };
    const { committer, store } = await setup(poisoned);
    const results = await Promise.allSettled([
      committer.submit(unit('good-1', 'user-1')),
      committer.submit(unit('bad', 'user-2')),
      committer.submit(unit('good-2', 'user-3')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((await store.findEvents({ limit: 10 })).map((e) => e.requestId), ['good-1', 'good-2']);
    await store.close();
  });

  it('on close, commits what it took and refuses new requests', async () => {
    const { committer, store } = await setup();
    const pending = [committer.submit(unit('p1', 'user-1')), committer.submit(unit('p2', 'user-2'))];
    await committer.close();
    assert.equal((await Promise.all(pending)).length, 2);
    await assert.rejects(committer.submit(unit('late', 'user-3')), (error: unknown) => error instanceof AmpstreamError && error.code === 'shutting_down');
    assert.equal(await store.countEvents(), 2);
    await store.close();
  });
});
