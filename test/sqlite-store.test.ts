import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
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
