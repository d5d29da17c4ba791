import { rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { findEventsSql, LINKED_PENDING_DEVICES_SQL, SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { tempDir } from './helpers/service.js';
import { storeContract } from './store-contract.js';
import { storeDeliveryContract } from './store-delivery-contract.js';

const dir = tempDir('ampstream-sqlite-');
after(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'contract.db');

storeContract(
  'sqlite (file)',
  async () => new SqliteStore({ path }),
  async (store) => {
    await store.close();
    return new SqliteStore({ path });
  },
);
storeContract('sqlite (:memory:)', async () => new SqliteStore({ path: ':memory:' }));
storeDeliveryContract('sqlite (:memory:)', async () => new SqliteStore({ path: ':memory:' }));

/** A database file as a version before the migration holding `marker` left it (open: close it). */
async function databaseBefore(file: string, marker: string) {
  const { default: Database } = await import('better-sqlite3');
  const { SQLITE_MIGRATIONS } = await import('../src/store/sqlite/schema.js');
  const before = SQLITE_MIGRATIONS.findIndex((migration) => migration.includes(marker));
  assert.ok(before > 0, marker);
  const db = new Database(file);
  for (const migration of SQLITE_MIGRATIONS.slice(0, before)) db.exec(migration);
  db.pragma(`user_version = ${before}`);
  return db;
}

/**
 * Makes a database file as a version before the migration holding `marker` left it, with `seed`'s
 * rows, then opens it with this version (which runs the migrations) and runs `check` on it.
 */
async function afterUpgrade(
  name: string,
  marker: string,
  seed: (db: Awaited<ReturnType<typeof databaseBefore>>) => void,
  check: (store: SqliteStore) => Promise<void>,
): Promise<void> {
  const file = join(dir, name);
  const old = await databaseBefore(file, marker);
  seed(old);
  old.close();
  const store = new SqliteStore({ path: file, synchronous: 'normal', backgroundCheckpoint: false });
  try {
    await check(store);
  } finally {
    await store.close();
  }
}

describe('SQLite storage', () => {
  it('stores a large profile once per change, not once per event (disk use stays flat)', async () => {
    const { statSync } = await import('node:fs');
    const { ingestProcessor } = await import('../src/engine/ingest-processor.js');
    const { event, unit } = await import('./store-contract.js');
    const file = join(dir, 'snapshots.db');
    const store = new SqliteStore({ path: file, synchronous: 'normal', backgroundCheckpoint: false });
    const projectId = (await store.createProject({ name: 'p', apiKeyHash: 'snap', apiKeyHint: 'snap', createdAt: 0 })).id;
    const big = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`property_${i}`, 'v'.repeat(100)]));
    await (await store.commitIngest([unit(projectId, [event({ userId: 'big-user-1', userProperties: big })])], ingestProcessor)).durable;
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 200 }, () => event({ userId: 'big-user-1', eventType: 'Click' }));
      await (await store.commitIngest([unit(projectId, events)], ingestProcessor)).durable;
    }
    const stored = await store.findEvents({ projectId, limit: 5000 });
    assert.equal(stored.length, 2001);
    assert.ok(stored.every((e) => Object.keys(e.userProperties).length === 1000), 'every event reads back the profile it carried');
    await store.close();
    const bytes = statSync(file).size;
    assert.ok(bytes < 5 * 1024 * 1024, `2,001 events with a 110 KB profile take ${bytes} bytes`);
  });

  it('upgrades a database made before sync revisions: every sync starts at revision 1', async () => {
    await afterUpgrade(
      'before-revision.db',
      'ADD COLUMN revision',
      (old) => old.prepare("INSERT INTO syncs (project_id, enabled, config, pause, created_at, updated_at) VALUES (1, 1, '{\"name\":\"old\"}', NULL, 0, 5)").run(),
      async (store) => {
        const [sync] = await store.listSyncs();
        assert.equal(sync?.revision, 1);
        const updated = await store.updateSync(sync?.id ?? 0, { config: { name: 'new' }, enabled: true, updatedAt: 6, expectedRevision: 1 });
        assert.equal(updated.kind === 'updated' && updated.sync.revision, 2);
      },
    );
  });

  it('upgrades a database made before the catalog: its catalog fills from then on', async () => {
    const { ingestProcessor } = await import('../src/engine/ingest-processor.js');
    const { event, unit } = await import('./store-contract.js');
    await afterUpgrade(
      'before-catalog.db',
      'CREATE TABLE catalog_names',
      (old) => old.prepare("INSERT INTO projects (name, api_key_hash, api_key_hint, created_at) VALUES ('old', 'old', 'old', 0)").run(),
      async (store) => {
        assert.deepEqual(await store.catalog(1), { eventTypes: [], eventProperties: [], userProperties: [] });
        await (await store.commitIngest([unit(1, [event({ userId: 'old-u1', eventType: 'After upgrade' })])], ingestProcessor)).durable;
        assert.deepEqual((await store.catalog(1)).eventTypes, ['After upgrade']);
      },
    );
  });

  it('upgrades a database whose too-large dead letters have no time of death: they died when planned', async () => {
    await afterUpgrade(
      'before-dead-at.db',
      'SET dead_at = created_at',
      (old) => {
        const insert = old.prepare(
          `INSERT INTO deliveries (sync_id, event_seq, person, partition, action, item, status, reason, cuts, next_attempt_at, created_at, dead_at, last_error)
           VALUES (1, ?, 'user:u', 0, 'event', ?, 'dead', ?, 0, ?, ?, ?, ?)`,
        );
        insert.run(1, '{}', 'rejected', 1000, 1000, 5000, 'refused: plain text'); // planned first, died last
        insert.run(2, null, 'too_large', 2000, 2000, null, '{"message":"too large"}'); // died when planned
      },
      async (store) => {
        const letters = await store.listDeadLetters(1, {}, 0, 10);
        assert.deepEqual(letters.map((d) => [d.eventSeq, d.deadAt]), [[2, 2000], [1, 5000]]);
        assert.deepEqual((await store.listDeadLetters(1, { from: 1500, to: 2500 }, 0, 10)).map((d) => d.eventSeq), [2]);
      },
    );
  });

  it("keeps a catalog name's first sighting, and its last one to the minute", async () => {
    const { default: Database } = await import('better-sqlite3');
    const { ingestProcessor } = await import('../src/engine/ingest-processor.js');
    const { event, unit } = await import('./store-contract.js');
    const file = join(dir, 'catalog.db');
    const store = new SqliteStore({ path: file, synchronous: 'normal', backgroundCheckpoint: false });
    const projectId = (await store.createProject({ name: 'p', apiKeyHash: 'cat', apiKeyHint: 'cat', createdAt: 0 })).id;
    const T0 = Date.UTC(2026, 0, 1);
    for (const receivedAt of [T0, T0 + 30_000, T0 + 61_000, T0 + 90_000]) {
      await (await store.commitIngest([unit(projectId, [event({ userId: 'seen-u1', eventType: 'Seen' })], receivedAt)], ingestProcessor)).durable;
    }
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      const row = db.prepare("SELECT first_seen_at, last_seen_at FROM catalog_names WHERE kind = 'event_type' AND name = 'Seen'").get();
      assert.deepEqual(row, { first_seen_at: T0, last_seen_at: T0 + 61_000 });
    } finally {
      db.close();
    }
  });

  it('looks events up by device, user or insert_id through an index, never a scan of the events', async () => {
    const { default: Database } = await import('better-sqlite3');
    const file = join(dir, 'plans.db');
    await new SqliteStore({ path: file, synchronous: 'normal', backgroundCheckpoint: false }).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (query: Parameters<typeof findEventsSql>[0]) => {
        const { sql, params } = findEventsSql(query);
        return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join('; ');
      };
      // the trace: the UI always names the sync's project; the admin API and CLI may leave it out
      for (const [query, index] of [
        [{ projectId: 1, deviceId: 'device-1', limit: 20 }, 'events_by_device'],
        [{ deviceId: 'device-1', limit: 20 }, 'events_by_device'],
        [{ projectId: 1, deviceId: 'device-1', userId: 'user-1', limit: 20 }, 'events_by_(device|person)'],
        [{ projectId: 1, userId: 'user-1', limit: 20 }, 'events_by_person'],
        [{ projectId: 1, insertId: 'insert-1', limit: 20 }, 'events_by_insert_id'],
      ] as const) {
        const detail = plan(query);
        assert.match(detail, new RegExp(`SEARCH e USING INDEX ${index} `), `${JSON.stringify(query)}: ${detail}`);
        assert.doesNotMatch(detail, /SCAN e\b/, `${JSON.stringify(query)}: ${detail}`);
      }
      // asked per user in every ingest commit: through the user's index, not every link of the project
      const linked = (db.prepare(`EXPLAIN QUERY PLAN ${LINKED_PENDING_DEVICES_SQL}`).all(1, 1, 'user-1') as { detail: string }[]).map((row) => row.detail).join('; ');
      assert.match(linked, /SEARCH l USING (COVERING )?INDEX device_links_by_user \(project_id=\? AND user_id=\?\)/, linked);
    } finally {
      db.close();
    }
  });
});
