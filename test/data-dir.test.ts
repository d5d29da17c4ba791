import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dataDirError } from '../src/data-dir.js';
import { exitOf, runCli, startServerProcess } from './helpers/process.js';
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

  it('takes over a lock whose process is a zombie (killed, not reaped yet) or whose pid another process now has', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
    const dataDir = tempDir('ampstream-lock-zombie-');
    dirs.push(dataDir);
    const env = { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN };
    const lock = join(dataDir, 'ampstream.lock');
    // sh starts a child, SIGKILLs it, and becomes `sleep`, which never reaps it: the child stays a zombie
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; kill -KILL $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      for (let i = 0; i < 100 && state() !== 'Z'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(state(), 'Z');
      writeFileSync(lock, `${zombie}\n`);
      const server = await startServerProcess(dataDir, env);
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      parent.kill('SIGKILL');
    }

    // a live process (this one) that started at another time than the lock's owner: the pid was reused
    writeFileSync(lock, `${process.pid} 1\n`);
    const reused = await startServerProcess(dataDir, env);
    assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${reused.child.pid} \\d+\n$`), 'the lock records the start time');
    reused.child.kill('SIGTERM');
    await reused.exited;

    // the lock of a process still running is kept: with its start time, and without one (an older lock)
    const startTime = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ')[19];
    for (const held of [`${process.pid} ${startTime}\n`, `${process.pid}\n`]) {
      writeFileSync(lock, held);
      await assert.rejects(startServerProcess(dataDir, env), new RegExp(`is in use by process ${process.pid} `));
    }
  });
});

describe('a data directory ampstream cannot use: exit 2 with a clear message, like every other bad setting', () => {
  function serve(dataDir: string) {
    return runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { AMPSTREAM_LOG_LEVEL: 'warn', AMPSTREAM_SIMULATOR: '' });
  }

  it('a file, not a directory', async () => {
    const parent = tempDir('ampstream-dd-file-');
    dirs.push(parent);
    const file = join(parent, 'passwd');
    writeFileSync(file, 'root:x:0:0\n');
    const cli = serve(file);
    assert.equal(await exitOf(cli), 2);
    assert.equal(cli.stderr(), `ampstream: the data directory ${file} is a file, not a directory (data-dir)\n`);
  });

  it('a path under a file', async () => {
    const parent = tempDir('ampstream-dd-under-');
    dirs.push(parent);
    const file = join(parent, 'notes.txt');
    writeFileSync(file, 'x\n');
    const cli = serve(join(file, 'data'));
    assert.equal(await exitOf(cli), 2);
    assert.equal(cli.stderr(), `ampstream: the data directory ${join(file, 'data')} cannot be created: ${file} is a file, not a directory (data-dir)\n`);
  });

  it('a place without permission (/sys refuses even root)', async () => {
    const cli = serve('/sys/ampstream-data');
    assert.equal(await exitOf(cli), 2);
    assert.match(cli.stderr(), /^ampstream: no permission to create or write the data directory \/sys\/ampstream-data \(EPERM\): choose another --data-dir, or give the user running ampstream access \(data-dir\)\n$/);
  });

  it('a database file that cannot be opened', async () => {
    const dataDir = tempDir('ampstream-dd-db-');
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'ampstream.db'));
    const cli = serve(dataDir);
    assert.equal(await exitOf(cli), 2);
    assert.match(cli.stderr(), new RegExp(`^ampstream: cannot open the database ${join(dataDir, 'ampstream.db')}: .+ \\(data-dir\\)\\n$`));
    assert.equal(existsSync(join(dataDir, 'ampstream.lock')), false, 'the lock is released');
  });

  it('names the problem for every error the filesystem gives (no permission, read-only, full)', () => {
    const fail = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
    const messages = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EIO'].map((code) => {
      const error = dataDirError('/srv/data', fail(code));
      assert.equal(error.code, 'config_invalid');
      assert.equal(error.field, 'data-dir');
      return error.message;
    });
    assert.deepEqual(messages, [
      'no permission to create or write the data directory /srv/data (EACCES): choose another --data-dir, or give the user running ampstream access',
      'no permission to create or write the data directory /srv/data (EPERM): choose another --data-dir, or give the user running ampstream access',
      'the data directory /srv/data is on a read-only filesystem: choose a writable --data-dir',
      'no space left on the device of the data directory /srv/data',
      'cannot use the data directory /srv/data: EIO: failed',
    ]);
  });
});
