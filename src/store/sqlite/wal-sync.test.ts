import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WalSync } from './wal-sync.js';

describe('WalSync', () => {
  it('shares one flush among waiters that arrive while none runs, and starts one more for later waiters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walsync-'));
    const path = join(dir, 'db.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    const sync = new WalSync(path);
    const order: string[] = [];
    const first = sync.flush().then(() => order.push('first'));
    const second = sync.flush().then(() => order.push('second'));
    const third = sync.flush().then(() => order.push('third'));
    await Promise.all([first, second, third]);
    assert.deepEqual(order, ['first', 'second', 'third']);
    // the second and third waited for the same follow-up flush
    await sync.flush();
    await sync.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects when the WAL cannot be opened, so nothing is acknowledged on a broken disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walsync-'));
    const sync = new WalSync(join(dir, 'missing.sqlite'));
    await assert.rejects(sync.flush());
    rmSync(dir, { recursive: true, force: true });
  });
});
