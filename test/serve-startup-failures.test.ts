import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exitOf, runCli, type CliProcess } from './helpers/process.js';
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
});
