import { rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
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
});
