import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEDUPE_WINDOW_MS } from '../src/amplitude/limits.js';
import { ingestProcessor } from '../src/engine/ingest-processor.js';
import { CATALOG_LIMITS } from '../src/store/catalog-cache.js';
import type { CatalogKind, EventRecord, IngestEvent, IngestProcessor, IngestUnit, Store } from '../src/store/types.js';

const T0 = Date.UTC(2026, 0, 1);

export function event(fields: Partial<IngestEvent> & { eventType?: string }): IngestEvent {
  const insertId = fields.insertId ?? `gen-${Math.random().toString(36).slice(2)}`;
  return {
    payload: { event_type: fields.eventType ?? 'Test', ...(fields.payload ?? {}) },
    eventType: fields.eventType ?? 'Test',
    userId: fields.userId ?? null,
    deviceId: fields.deviceId ?? null,
    time: fields.time ?? T0,
    insertId,
    insertIdGenerated: fields.insertIdGenerated ?? fields.insertId === undefined,
    userProperties: fields.userProperties ?? null,
    skipUserPropertiesSync: fields.skipUserPropertiesSync ?? false,
  };
}

/** Commits and waits until the commit is durable; gives the outcomes. */
async function commit(store: Store, units: IngestUnit[], processor: IngestProcessor = ingestProcessor) {
  const committed = await store.commitIngest(units, processor);
  await committed.durable;
  return committed.outcomes;
}

export function unit(projectId: number, events: IngestEvent[], receivedAt = T0, requestId = 'req-1'): IngestUnit {
  return { projectId, source: 'httpapi', requestId, receivedAt, events };
}

/**
 * The behaviour every Store adapter must have. `open` gives a fresh, empty store; `reopen`, when
 * given, opens the same data again (to check that commits survive a restart).
 */
export function storeContract(name: string, open: () => Promise<Store>, reopen?: (store: Store) => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let projectId: number;
    before(async () => {
      store = await open();
      projectId = (await store.createProject({ name: 'p', apiKeyHash: 'hash-1', apiKeyHint: '…0001', createdAt: T0 })).id;
    });
    after(async () => {
      await store.close();
    });

    it('creates, lists and finds projects', async () => {
      const second = await store.createProject({ name: 'q', apiKeyHash: 'hash-2', apiKeyHint: '…0002', createdAt: T0 + 1 });
      assert.notEqual(second.id, projectId);
      const list = await store.listProjects();
      assert.deepEqual(
        list.map((p) => [p.name, p.apiKeyHint]),
        [
          ['p', '…0001'],
          ['q', '…0002'],
        ],
      );
      assert.equal((await store.findProjectByApiKeyHash('hash-2'))?.id, second.id);
      assert.equal(await store.findProjectByApiKeyHash('nope'), undefined);
      assert.equal((await store.getProject(projectId))?.name, 'p');
      assert.equal(await store.getProject(999999), undefined);
    });

    it('refuses a second project with the same key hash', async () => {
      await assert.rejects(store.createProject({ name: 'dup', apiKeyHash: 'hash-1', apiKeyHint: '…', createdAt: T0 }));
    });

    it('commits events in order and reads every field back', async () => {
      const outcomes = await commit(
        store,
        [
          unit(projectId, [
            event({ userId: 'contract-u1', deviceId: 'contract-d1', insertId: 'c-1', eventType: 'A', payload: { event_properties: { n: 1 } }, userProperties: { plan: 'pro' } }),
            event({ userId: 'contract-u1', eventType: 'B', time: T0 + 5 }),
          ], T0, 'req-a'),
          unit(projectId, [event({ deviceId: 'contract-d2', eventType: 'C' })], T0 + 1, 'req-b'),
        ]);
      assert.deepEqual(outcomes, [
        { accepted: 2, duplicates: 0 },
        { accepted: 1, duplicates: 0 },
      ]);
      const events = await store.findEvents({ projectId, limit: 10 });
      assert.deepEqual(events.map((e) => e.eventType), ['A', 'B', 'C']);
      assert.ok((events[0]?.seq ?? 0) < (events[1]?.seq ?? 0) && (events[1]?.seq ?? 0) < (events[2]?.seq ?? 0));
      const [a, b, c] = events;
      assert.equal(a?.insertId, 'c-1');
      assert.equal(a?.insertIdGenerated, false);
      assert.equal(b?.insertIdGenerated, true);
      assert.equal(a?.requestId, 'req-a');
      assert.equal(c?.requestId, 'req-b');
      assert.equal(a?.source, 'httpapi');
      assert.equal(a?.receivedAt, T0);
      assert.equal(b?.time, T0 + 5);
      assert.equal(a?.personKey, 'user:contract-u1');
      assert.equal(c?.personKey, 'device:contract-d2');
      assert.deepEqual(a?.payload, { event_type: 'A', event_properties: { n: 1 } });
      assert.deepEqual(a?.userProperties, { plan: 'pro' });
      assert.deepEqual(a?.changes, { plan: { to: 'pro' } });
      assert.equal(a?.firstSeen, true);
      assert.equal(b?.firstSeen, false);
      assert.equal(b?.changes, null);
      assert.deepEqual((await store.getProfile(projectId, 'user:contract-u1'))?.properties, { plan: 'pro' });
      assert.equal(await store.getDeviceLink(projectId, 'contract-d1'), 'contract-u1');
    });

    it('drops an insert_id seen within the window, per project and device', async () => {
      const first = await commit(store, [unit(projectId, [event({ userId: 'dedupe-u1', deviceId: 'dedupe-d1', insertId: 'same' })])]);
      assert.deepEqual(first, [{ accepted: 1, duplicates: 0 }]);
      const again = await commit(
        store,
        [
          unit(projectId, [
            event({ userId: 'dedupe-u1', deviceId: 'dedupe-d1', insertId: 'same' }),
            event({ userId: 'dedupe-u1', deviceId: 'dedupe-d2', insertId: 'same' }),
            event({ userId: 'dedupe-u1', insertId: 'same' }),
            event({ userId: 'dedupe-u1', insertId: 'same' }),
          ], T0 + 1000),
        ]);
      assert.deepEqual(again, [{ accepted: 4, duplicates: 2 }]);
      assert.equal((await store.findEvents({ projectId, insertId: 'same', limit: 10 })).length, 3);
    });

    it('forgets insert_ids older than the window', async () => {
      await commit(store, [unit(projectId, [event({ deviceId: 'window-d1', insertId: 'old' })], T0)]);
      const later = T0 + DEDUPE_WINDOW_MS + 1;
      const outcome = await commit(store, [unit(projectId, [event({ deviceId: 'window-d1', insertId: 'old' })], later)]);
      assert.deepEqual(outcome, [{ accepted: 1, duplicates: 0 }]);
      const outcome2 = await commit(store, [unit(projectId, [event({ deviceId: 'window-d1', insertId: 'old' })], later + 1)]);
      assert.deepEqual(outcome2, [{ accepted: 1, duplicates: 1 }], 'the window runs from the newest stored copy');
      assert.equal((await store.findEvents({ projectId, insertId: 'old', limit: 10 })).length, 2);
    });

    it('links a device to a user across commits and merges the device profile', async () => {
      await commit(store, [unit(projectId, [event({ deviceId: 'link-d1', userProperties: { source: 'ad', plan: 'free' } })])]);
      await commit(store, [unit(projectId, [event({ userId: 'link-u1', userProperties: { plan: 'pro' } })])]);
      await commit(store, [unit(projectId, [event({ userId: 'link-u1', deviceId: 'link-d1', eventType: 'Login' })])]);
      await commit(store, [unit(projectId, [event({ deviceId: 'link-d1', eventType: 'Later', userProperties: { $add: { visits: 1 } } })])]);
      const profile = await store.getProfile(projectId, 'user:link-u1');
      assert.deepEqual(profile?.properties, { source: 'ad', plan: 'pro', visits: 1 });
      const later = await store.findEvents({ projectId, userId: 'link-u1', limit: 10 });
      assert.deepEqual(later.map((e) => [e.eventType, e.userId, e.personKey]), [
        ['Test', 'link-u1', 'user:link-u1'],
        ['Login', 'link-u1', 'user:link-u1'],
        ['Later', 'link-u1', 'user:link-u1'],
      ]);
      // the device's own events: its anonymous activity, the login that linked it, and what came after
      const device = await store.findEvents({ projectId, deviceId: 'link-d1', limit: 10 });
      assert.deepEqual(device.map((e) => [e.eventType, e.userId, e.personKey]), [
        ['Test', null, 'device:link-d1'],
        ['Login', 'link-u1', 'user:link-u1'],
        ['Later', 'link-u1', 'user:link-u1'],
      ]);
      const both = await store.findEvents({ deviceId: 'link-d1', userId: 'link-u1', limit: 1 });
      assert.deepEqual(both.map((e) => e.eventType), ['Login'], 'keys combine (and), oldest first, with or without a project');
    });

    it('rolls back everything when processing fails', async () => {
      const before = await store.countEvents();
      const failing: IngestProcessor = {
        stateKeys: ingestProcessor.stateKeys,
        process: (units, state) => {
          const writes = ingestProcessor.process(units, state);
          // an event row the store cannot take (NOT NULL column) after valid ones
          writes.events.push({ ...(writes.events[0] as EventRecord), eventType: null as unknown as string });
          return writes;
        },
      };
      await assert.rejects(
        store.commitIngest([unit(projectId, [event({ userId: 'rollback-u1', insertId: 'rb-1', userProperties: { a: 1 } })])], failing),
      );
      assert.equal(await store.countEvents(), before);
      assert.equal(await store.getProfile(projectId, 'user:rollback-u1'), undefined);
      const retry = await commit(store, [unit(projectId, [event({ userId: 'rollback-u1', insertId: 'rb-1' })])]);
      assert.deepEqual(retry, [{ accepted: 1, duplicates: 0 }], 'the insert_id of a rolled-back commit was not remembered');
    });

    it('filters and pages events', async () => {
      const all = await store.findEvents({ projectId, limit: 1000 });
      const page = await store.findEvents({ projectId, limit: 2 });
      assert.equal(page.length, 2);
      const next = await store.findEvents({ projectId, afterSeq: page[1]?.seq ?? 0, limit: 1000 });
      assert.equal(next.length, all.length - 2);
      const byDevice = await store.findEvents({ projectId, deviceId: 'contract-d2', limit: 10 });
      assert.deepEqual(byDevice.map((e) => e.eventType), ['C']);
      assert.equal((await store.countEvents(projectId)), all.length);
    });

    it('answers ping', async () => {
      await store.ping();
    });

    // the catalog tests use projects of their own (created on first use)
    const catalogProjects = new Map<string, number>();
    const catalogProject = async (name: string): Promise<number> => {
      const known = catalogProjects.get(name);
      if (known !== undefined) return known;
      const id = (await store.createProject({ name, apiKeyHash: `hash-${name}`, apiKeyHint: '…cat', createdAt: T0 })).id;
      catalogProjects.set(name, id);
      return id;
    };

    it('catalogs the event types and event and user property names of committed events, sorted', async () => {
      const id = await catalogProject('catalog');
      await commit(store, [
        unit(id, [
          event({
            userId: 'cat-u1',
            eventType: 'Signup',
            payload: { event_properties: { referrer: 'ad', campaign: 'spring' } },
            userProperties: { $set: { plan: 'pro' }, $setOnce: { first_plan: 'pro' }, $unset: ['trial'] },
          }),
          event({ userId: 'cat-u1', eventType: '$identify', payload: { event_properties: { not_an_event: 1 } }, userProperties: { $add: { logins: 1 } } }),
          event({ userId: 'cat-u1', eventType: '$groupidentify', userProperties: { $set: { company: 'Acme' } } }),
          event({ deviceId: 'cat-d1', eventType: 'Add to cart', payload: { event_properties: { sku: 'a-1' } }, userProperties: { email: 'a@b.c' } }),
        ]),
      ]);
      await commit(store, [unit(id, [event({ userId: 'cat-u1', eventType: 'Signup' }), event({ userId: 'cat-u1', eventType: 'Browse' })], T0 + 1)]);
      assert.deepEqual(await store.catalog(id), {
        eventTypes: ['Add to cart', 'Browse', 'Signup'],
        eventProperties: ['campaign', 'referrer', 'sku'],
        userProperties: ['email', 'first_plan', 'logins', 'plan', 'trial'],
      });
      assert.ok(!(await store.catalog(projectId)).eventTypes.includes('Signup'), 'a catalog is per project');
    });

    it('answers empty lists for a project that never had an event', async () => {
      assert.deepEqual(await store.catalog(999999), { eventTypes: [], eventProperties: [], userProperties: [] });
    });

    it('records nothing of a rolled-back commit, and records its names when it is retried', async () => {
      const id = await catalogProject('catalog');
      const failing: IngestProcessor = {
        stateKeys: ingestProcessor.stateKeys,
        process: (units, state) => {
          const writes = ingestProcessor.process(units, state);
          // a catalog entry the store cannot take, after valid ones
          writes.catalog.push({ projectId: id, kind: 'no such kind' as CatalogKind, name: 'bad', seenAt: T0 });
          return writes;
        },
      };
      const units = [unit(id, [event({ userId: 'cat-u2', eventType: 'Rolled back', payload: { event_properties: { rb: 1 } } })])];
      const before = await store.catalog(id);
      await assert.rejects(store.commitIngest(units, failing));
      assert.deepEqual(await store.catalog(id), before);
      await commit(store, units);
      const after = await store.catalog(id);
      assert.ok(after.eventTypes.includes('Rolled back') && after.eventProperties.includes('rb'), JSON.stringify(after));
    });

    it(`ignores names over ${CATALOG_LIMITS.maxNameLength} characters and keeps at most ${CATALOG_LIMITS.maxNames} names per project and kind`, async () => {
      const id = await catalogProject('catalog-cap');
      const longest = 'y'.repeat(CATALOG_LIMITS.maxNameLength);
      const properties: Record<string, number> = { [longest]: 1, ['x'.repeat(CATALOG_LIMITS.maxNameLength + 1)]: 1 };
      for (let i = 0; i < CATALOG_LIMITS.maxNames + 100; i++) properties[`p${String(i).padStart(5, '0')}`] = i;
      await commit(store, [unit(id, [event({ userId: 'cap-u1', eventType: 'x'.repeat(CATALOG_LIMITS.maxNameLength), payload: { event_properties: properties } })])]);
      await commit(store, [unit(id, [event({ userId: 'cap-u1', eventType: 'Capped', payload: { event_properties: { late: 1, p00000: 2 } } })], T0 + 1)]);
      const catalog = await store.catalog(id);
      assert.equal(catalog.eventProperties.length, CATALOG_LIMITS.maxNames);
      assert.equal(catalog.eventProperties[0], 'p00000');
      assert.equal(catalog.eventProperties.at(-2), `p${String(CATALOG_LIMITS.maxNames - 2).padStart(5, '0')}`);
      assert.equal(catalog.eventProperties.at(-1), longest);
      assert.ok(!catalog.eventProperties.includes('late'), 'over the cap, a new name is not recorded');
      assert.deepEqual(catalog.eventTypes, ['Capped', 'x'.repeat(CATALOG_LIMITS.maxNameLength)], 'the cap is per kind');
    });

    if (reopen !== undefined) {
      it('keeps committed data across a reopen', async () => {
        const count = await store.countEvents();
        const projects = (await store.listProjects()).length;
        store = await reopen(store);
        assert.equal(await store.countEvents(), count);
        assert.equal((await store.listProjects()).length, projects);
        assert.deepEqual((await store.getProfile(projectId, 'user:link-u1'))?.properties, { source: 'ad', plan: 'pro', visits: 1 });
      });

      it('keeps the catalog across a reopen, with its limits', async () => {
        const id = await catalogProject('catalog');
        const capped = await catalogProject('catalog-cap');
        const before = [await store.catalog(id), await store.catalog(capped)];
        store = await reopen(store);
        assert.deepEqual([await store.catalog(id), await store.catalog(capped)], before);
        await commit(store, [
          unit(id, [event({ userId: 'cat-u1', eventType: 'Signup' }), event({ userId: 'cat-u1', eventType: 'After reopen' })], T0 + 2),
          unit(capped, [event({ userId: 'cap-u1', eventType: 'Capped', payload: { event_properties: { after_reopen: 1 } } })], T0 + 2),
        ]);
        const [catalog, cappedCatalog] = [await store.catalog(id), await store.catalog(capped)];
        assert.deepEqual(catalog.eventTypes, [...(before[0]?.eventTypes ?? []), 'After reopen'].sort());
        assert.deepEqual(cappedCatalog.eventProperties, before[1]?.eventProperties, 'the cap counts the names recorded before the reopen');
      });
    }
  });
}
