import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the data directory', () => {
  it('is private to its owner: the directory, the database and its WAL', async () => {
    const parent = tempDir('ampstream-perm-');
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      for (const file of ['ampstream.db', 'ampstream.db-wal', 'ampstream.db-shm']) {
        assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('serves one server at a time; a lock left by a dead process is taken over, and released on exit', async () => {
    const dataDir = tempDir('ampstream-lock-');
    dirs.push(dataDir);
    const env = { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN };
    const first = await startServerProcess(dataDir, env);
    try {
      await assert.rejects(startServerProcess(dataDir, env), (error: Error) => {
        assert.match(error.message, /is in use by process \d+ \(another ampstream serve\)/);
        return true;
      });
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    assert.ok(existsSync(join(dataDir, 'ampstream.lock')), 'SIGKILL leaves the lock behind');
    const second = await startServerProcess(dataDir, env);
    second.child.kill('SIGTERM');
    await second.exited;
    assert.equal(existsSync(join(dataDir, 'ampstream.lock')), false, 'a clean exit removes the lock');
    writeFileSync(join(dataDir, 'ampstream.lock'), 'not a pid\n');
    const third = await startServerProcess(dataDir, env);
    third.child.kill('SIGTERM');
    await third.exited;
  });
});
