import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DATABASE_FILE } from '../src/service.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { exitOf, runCli, startServerProcess, type CliProcess, type ServerProcess } from './helpers/process.js';
import { tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function serve(dataDir: string, args: string[]): CliProcess {
  return runCli(['serve', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], { AMPSTREAM_LOG_LEVEL: 'warn' });
}

describe('ampstream serve when it cannot start', () => {
  /** A port something else listens on, for the length of `use`. */
  async function withTakenPort(use: (port: number) => Promise<void>): Promise<void> {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      await use((taken.address() as { port: number }).port);
    } finally {
      taken.close();
    }
  }

  /** Runs `use` against a server started on the data directory (the admin token generated), then stops it. */
  async function whileServing(dataDir: string, use: (server: ServerProcess) => Promise<void>): Promise<void> {
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: '' });
    try {
      await use(server);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }

  /** Sends one event with the key: 200 when the key is a project's. */
  async function ingestStatus(url: string, apiKey: string): Promise<number> {
    const reply = await fetch(`${url}/2/httpapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: apiKey, events: [{ user_id: 'user-1', event_type: 'first start' }] }),
    });
    return reply.status;
  }

  it('the port taken on the first start: exits 2 saying so, and undoes the start, so the next one shows the admin token and the key', async () => {
    const parent = tempDir('ampstream-busy-');
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    await withTakenPort(async (port) => {
      const cli = serve(dataDir, ['--port', String(port)]);
      assert.equal(await exitOf(cli), 2);
      assert.equal(cli.stderr(), `ampstream: port ${port} is in use: stop what uses it or start with --port N\n`);
      assert.equal(existsSync(dataDir), false, 'the data directory it created is removed again');

      // a data directory that was there already is kept, empty as it was
      mkdirSync(dataDir);
      const again = serve(dataDir, ['--port', String(port)]);
      assert.equal(await exitOf(again), 2);
      assert.deepEqual(readdirSync(dataDir), []);
    });

    await whileServing(dataDir, async (server) => {
      const banner = server.stderr();
      const token = /admin token \(shown once; also kept in \S+\): (\S+)/.exec(banner)?.[1];
      assert.equal(token, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), banner);
      const key = /created project "Default project"; its API key \(shown once\): (\S+)/.exec(banner)?.[1];
      assert.ok(key !== undefined, banner);
      assert.equal(await ingestStatus(server.url, key), 200, 'the key shown is the project\'s');
      const projects = await fetch(`${server.url}/api/projects`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(projects.status, 200, 'the token shown is the one that works');
    });
  });

  it('a first start killed after creating the Default project, before it could show the key: the next start shows it, once', async () => {
    const dataDir = tempDir('ampstream-killed-first-');
    dirs.push(dataDir);
    // the start blocks reading this (a named pipe nobody writes), after the project is created and before it listens
    const fifo = join(tempDir('ampstream-fifo-'), 'syncs.json');
    dirs.push(dirname(fifo));
    execFileSync('mkfifo', [fifo]);
    const first = serve(dataDir, ['--port', '0', '--config', fifo]);
    const keyFile = join(dataDir, 'first-project-key');
    for (let i = 0; i < 200 && !existsSync(keyFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(existsSync(keyFile), 'the key waits in the data directory until shown');
    first.child.kill('SIGKILL');
    await first.exited;
    assert.doesNotMatch(first.stderr(), /API key/, 'the killed start showed no key');

    await whileServing(dataDir, async (server) => {
      const key = /created project "Default project" \(by a first start stopped before it could say so\); its API key \(shown once\): (\S+)/.exec(server.stderr())?.[1];
      assert.ok(key !== undefined, server.stderr());
      assert.equal(await ingestStatus(server.url, key), 200, 'the key shown is the project\'s');
      assert.equal(existsSync(keyFile), false, 'shown once: the file is gone');
    });
    await whileServing(dataDir, async (server) => assert.doesNotMatch(server.stderr(), /API key/, 'not shown again'));
  });

  it('a failed first start removes the parents of the data directory it made too, and keeps what was there', async () => {
    const parent = tempDir('ampstream-nested-');
    dirs.push(parent);
    await withTakenPort(async (port) => {
      const cli = serve(join(parent, 'a', 'b', 'data'), ['--port', String(port)]);
      assert.equal(await exitOf(cli), 2);
      assert.deepEqual(readdirSync(parent), [], 'a, a/b and a/b/data are gone');
      assert.equal(existsSync(parent), true, 'the directory that was there stays');
    });
  });

  it('a host that is not an address of this machine: exits 2 saying so', async () => {
    const parent = tempDir('ampstream-host-');
    dirs.push(parent);
    const cli = runCli(['serve', '--host', '192.0.2.1', '--port', '0', '--data-dir', join(parent, 'data')], { AMPSTREAM_LOG_LEVEL: 'warn' });
    assert.equal(await exitOf(cli), 2);
    assert.equal(cli.stderr(), 'ampstream: 192.0.2.1 is not an address of this machine: start with --host 0.0.0.0 (all) or 127.0.0.1\n');
  });

  it('a failed start that cannot undo the Default project it created (the database was there) prints its key anyway', async () => {
    const dataDir = tempDir('ampstream-busy-empty-');
    dirs.push(dataDir);
    await new SqliteStore({ path: join(dataDir, DATABASE_FILE) }).close(); // a database without projects
    let key: string | undefined;
    await withTakenPort(async (port) => {
      const cli = serve(dataDir, ['--port', String(port)]);
      assert.equal(await exitOf(cli), 2);
      key = /created project "Default project" before the start failed; its API key \(shown once\): (\S+)/.exec(cli.stderr())?.[1];
      assert.ok(key !== undefined, cli.stderr());
      assert.match(cli.stderr(), /port \d+ is in use/);
    });
    await whileServing(dataDir, async (server) => {
      assert.ok(!server.stderr().includes('created project'), server.stderr());
      assert.equal(await ingestStatus(server.url, key as string), 200);
    });
  });

  it('--config with a file that is not JSON: exits 2 saying so, never quoting the key around the mistake', async () => {
    const dataDir = tempDir('ampstream-config-');
    dirs.push(dataDir);
    const file = join(dataDir, 'syncs.json');
    // the key pasted without quotes: V8's own message quotes the text around it ("api_key": sk_live_01…)
    writeFileSync(file, '{ "syncs": [ { "name": "prod", "project_id": 1,\n  "customerio": { "site_id": "site-1", "api_key": sk_live_0123456789abcdef } } ] }\n');
    const cli = serve(dataDir, ['--port', '0', '--config', file]);
    assert.equal(await exitOf(cli), 2);
    assert.match(cli.stderr(), /syncs\.json: not valid JSON \(config\)/);
    assert.ok(!`${cli.stderr()}${cli.stdout()}`.includes('sk_live'), cli.stderr());
  });

  it('--config with a bad sync: exits 2 naming the place in the file once, as the field', async () => {
    const dataDir = tempDir('ampstream-config-sync-');
    dirs.push(dataDir);
    const file = join(dataDir, 'syncs.json');
    const sync = { name: 'prod', project_id: 1, customerio: { site_id: 'site-1', api_key: 'env:AMPSTREAM_TEST_UNSET_KEY' } };
    writeFileSync(file, JSON.stringify({ syncs: [sync] }));
    const unset = serve(dataDir, ['--port', '0', '--config', file]);
    assert.equal(await exitOf(unset), 2);
    assert.equal(
      unset.stderr(),
      `ampstream: ${file}: syncs.0.customerio.api_key: names the environment variable AMPSTREAM_TEST_UNSET_KEY, which is not set (syncs.0.customerio.api_key)\n`,
    );

    writeFileSync(file, JSON.stringify({ syncs: [{ ...sync, customerio: { site_id: 'site-1', api_key: 'key-1', region: 'mars' } }] }));
    const region = serve(dataDir, ['--port', '0', '--config', file]);
    assert.equal(await exitOf(region), 2);
    assert.equal(
      region.stderr(),
      `ampstream: ${file}: syncs.0.customerio.region: must be equal to one of the allowed values ("us", "eu") (syncs.0.customerio.region)\n`,
    );
  });

  /** The syncs the data directory holds (serve has exited: nothing else has it open); none without a database. */
  async function storedSyncs(dataDir: string) {
    if (!existsSync(join(dataDir, DATABASE_FILE))) return [];
    const store = new SqliteStore({ path: join(dataDir, DATABASE_FILE) });
    try {
      return (await store.listSyncs()).map((s) => ({ id: s.id, name: (s.config as { name: string }).name, enabled: s.enabled, revision: s.revision }));
    } finally {
      await store.close();
    }
  }

  const KEY = 'sk_live_atomic_0123456789';
  const customerio = { site_id: 's1', api_key: KEY, region: 'us' };

  it('--config with two entries of one name: exits 2 naming both, creates nothing, and refuses the same file again', async () => {
    const dataDir = tempDir('ampstream-config-dup-');
    dirs.push(dataDir);
    const file = join(dataDir, 'dup.json');
    writeFileSync(file, JSON.stringify({ syncs: [{ name: 'Alpha', project_id: 1, customerio }, { name: ' ALPHA ', project_id: 1, customerio, send_users: { enabled: false } }] }));
    for (const start of ['first', 'second']) {
      const cli = serve(dataDir, ['--port', '0', '--delivery', 'off', '--config', file]);
      assert.equal(await exitOf(cli), 2, start);
      assert.equal(cli.stderr(), `ampstream: ${file}: syncs.1.name: " ALPHA " is the same name as syncs.0 ("Alpha") (syncs.1.name)\n`, start);
      assert.ok(!`${cli.stderr()}${cli.stdout()}`.includes(KEY));
      assert.deepEqual(await storedSyncs(dataDir), [], `${start} start: nothing applied`);
    }
  });

  it('--config with a sync of a missing project: exits 2 and keeps none of the file; a running setup is left as it was', async () => {
    const dataDir = tempDir('ampstream-config-missing-');
    dirs.push(dataDir);
    const file = join(dataDir, 'syncs.json');
    writeFileSync(file, JSON.stringify({ syncs: [{ name: 'Beta', project_id: 1, customerio }, { name: 'Gamma', project_id: 99, customerio }] }));
    const cli = serve(dataDir, ['--port', '0', '--delivery', 'off', '--config', file]);
    assert.equal(await exitOf(cli), 2);
    assert.equal(cli.stderr(), `ampstream: ${file}: syncs.1.project_id: project 99 does not exist (syncs.1.project_id)\n`);
    assert.deepEqual(await storedSyncs(dataDir), []);

    writeFileSync(file, JSON.stringify({ syncs: [{ name: 'Beta', project_id: 1, customerio }] }));
    const good = await startServerProcess(dataDir, {}, ['--delivery', 'off', '--config', file]);
    assert.match(good.stderr(), /syncs from .*syncs\.json: 1 created, 0 updated/);
    assert.match(good.stderr(), /created project "Default project"; its API key/, 'the failed first start was undone: this one is the first');
    good.child.kill('SIGTERM');
    await good.exited;
    const applied = await storedSyncs(dataDir);
    assert.deepEqual(applied, [{ id: 1, name: 'Beta', enabled: true, revision: 1 }]);

    // a change of Beta with a bad entry after it: Beta stays as it was
    writeFileSync(file, JSON.stringify({ syncs: [{ name: 'beta', project_id: 1, customerio, enabled: false }, { name: 'Gamma', project_id: 99, customerio }] }));
    const bad = serve(dataDir, ['--port', '0', '--config', file]);
    assert.equal(await exitOf(bad), 2);
    assert.deepEqual(await storedSyncs(dataDir), applied);
    assert.ok(!`${bad.stderr()}${bad.stdout()}${good.stderr()}${good.stdout()}`.includes(KEY));
  });
});
