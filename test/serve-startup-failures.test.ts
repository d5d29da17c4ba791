import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DATABASE_FILE } from '../src/service.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { exitOf, runCli, startServerProcess, type CliProcess } from './helpers/process.js';
import { tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function serve(dataDir: string, args: string[]): CliProcess {
  return runCli(['serve', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], { AMPSTREAM_LOG_LEVEL: 'warn' });
}

describe('ampstream serve when it cannot start', () => {
  it('exits 1 when the port is taken, instead of staying up with the database open', async () => {
    const dataDir = tempDir('ampstream-busy-');
    dirs.push(dataDir);
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const cli = serve(dataDir, ['--port', String(port)]);
      assert.equal(await exitOf(cli), 1);
      assert.match(cli.stderr(), /EADDRINUSE/);
    } finally {
      taken.close();
    }
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

  /** The syncs the data directory holds (serve has exited: nothing else has it open). */
  async function storedSyncs(dataDir: string) {
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
