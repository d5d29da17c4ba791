/**
 * `ampstream serve --simulator`: the Customer.io simulator in the same process, deliveries going
 * to it, its workspaces in the banner, and both stopping together.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveServeConfig } from '../src/config.js';
import { exitOf, REPO_ROOT, runCli, startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, postJson, startTestService, tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function newDataDir(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}

/** The settings of the outer environment that would change what these tests start. */
const CLEAN_ENV = { AMPSTREAM_SIMULATOR: '', AMPSTREAM_SIMULATOR_PORT: '', AMPSTREAM_CUSTOMERIO_URL: '', AMPSTREAM_CONFIG: '' };

/** A sync sending every event by user_id to the given simulator workspace. */
function syncFor(workspace: { site_id: string; api_key: string; region: string }) {
  return { name: 'try it', project_id: 1, customerio: workspace, send_users: { properties: ['plan'] } };
}

/** Polls `read` until it gives something other than undefined (10 s at most). */
async function eventually<T>(what: string, read: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
}

describe('serve --simulator settings', () => {
  it('is off unless asked for; on, it binds 127.0.0.1:9100 unless given a port', () => {
    assert.equal(resolveServeConfig({}, {}).simulator, undefined);
    assert.equal(resolveServeConfig({ simulator: 'off' }, { AMPSTREAM_SIMULATOR: 'on' }).simulator, undefined, 'the flag wins');
    assert.deepEqual(resolveServeConfig({ simulator: 'on' }, {}).simulator, { host: '127.0.0.1', port: 9100 });
    assert.deepEqual(resolveServeConfig({}, { AMPSTREAM_SIMULATOR: 'ON', AMPSTREAM_SIMULATOR_PORT: '0' }).simulator, { host: '127.0.0.1', port: 0 });
    assert.deepEqual(resolveServeConfig({ simulator: 'on', simulatorPort: '9200' }, { AMPSTREAM_SIMULATOR_PORT: '0' }).simulator, {
      host: '127.0.0.1',
      port: 9200,
    });
    assert.equal(resolveServeConfig({}, { AMPSTREAM_SIMULATOR_PORT: '9200' }).simulator, undefined, 'a port alone in the environment starts nothing');
  });

  it('refuses a bad value, a port without the simulator, and a Customer.io URL with it, naming where each came from', () => {
    assert.throws(() => resolveServeConfig({ simulator: 'yes' }, {}), /simulator must be one of on, off \(got "yes"\)/);
    assert.throws(() => resolveServeConfig({ simulator: 'on', simulatorPort: '70000' }, {}), /simulator-port must be an integer from 0 to 65535/);
    assert.throws(() => resolveServeConfig({ simulatorPort: '0' }, {}), /--simulator-port needs --simulator/);
    assert.throws(
      () => resolveServeConfig({ simulator: 'on', customerioUrl: 'http://127.0.0.1:9100' }, {}),
      /^AmpstreamError: --simulator and --customerio-url cannot be used together/,
    );
    assert.throws(
      () => resolveServeConfig({}, { AMPSTREAM_SIMULATOR: 'on', AMPSTREAM_CUSTOMERIO_URL: 'http://127.0.0.1:9100' }),
      /AMPSTREAM_SIMULATOR=on and AMPSTREAM_CUSTOMERIO_URL cannot be used together/,
    );
  });
});

describe('ampstream serve --simulator as a process', () => {
  it('delivers an event to the simulator in the same process, prints its workspaces, and stops with it on SIGTERM', async () => {
    const dataDir = newDataDir('ampstream-serve-sim-');
    const server = await startServerProcess(dataDir, { ...CLEAN_ENV, AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN }, ['--simulator', '--simulator-port', '0']);
    let exited = false;
    try {
      const banner = server.stderr();
      const simUrl = /simulator: Customer\.io Track API simulator running in this process at (http:\/\/127\.0\.0\.1:\d+) /.exec(banner)?.[1];
      assert.ok(simUrl !== undefined, banner);
      assert.ok(banner.includes(`delivery: on, to the simulator at ${simUrl}\n`), banner);
      const workspaces = banner
        .split('\n')
        .filter((line) => line.startsWith('  {'))
        .map((line) => JSON.parse(line) as { site_id: string; api_key: string; region: string });
      assert.deepEqual(workspaces, [
        { site_id: 'sim-site-us', api_key: 'sim-key-us', region: 'us' },
        { site_id: 'sim-site-eu', api_key: 'sim-key-eu', region: 'eu' },
      ]);
      assert.ok(!banner.includes(ADMIN_TOKEN), 'a token from the environment is never printed');
      // the README shows these lines as they are, but for the ports
      const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
      const example = /## Try it without a Customer\.io account\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1];
      assert.ok(example !== undefined, 'the README shows the banner');
      const withoutPorts = (text: string) => text.replace(/:\d+\b/g, ':PORT');
      const bannerLines = withoutPorts(banner).split('\n');
      for (const line of withoutPorts(example).trimEnd().split('\n')) assert.ok(bannerLines.includes(line), `README line not in the banner: ${line}`);
      const apiKey = /API key \(shown once\): (\S+)/.exec(banner)?.[1];
      assert.ok(apiKey !== undefined, banner);

      // a sync with the workspace the banner gives, through the admin API
      const us = workspaces[0] as (typeof workspaces)[number];
      const created = await postJson(`${server.url}/api/syncs`, syncFor(us), { authorization: `Bearer ${ADMIN_TOKEN}` });
      assert.equal(created.status, 201, created.text);
      const test = await postJson(`${server.url}/api/syncs/${created.body.id}/test`, {}, { authorization: `Bearer ${ADMIN_TOKEN}` });
      assert.deepEqual(test.body, { ok: true, region: 'us' });

      const sent = await postJson(`${server.url}/2/httpapi`, {
        api_key: apiKey,
        events: [{ user_id: 'sim-user-0001', event_type: 'Signup', event_properties: { source: 'readme' }, user_properties: { $set: { plan: 'pro' } } }],
      });
      assert.equal(sent.status, 200, sent.text);

      // arrived, as the simulator's inspection API shows
      const person = await eventually('the person in the simulator', async () => {
        const { people } = (await (await fetch(`${simUrl}/_sim/people?site_id=sim-site-us`)).json()) as { people: Array<{ cio_id: string; id?: string; event_count: number }> };
        return people.find((p) => p.id === 'sim-user-0001' && p.event_count === 1);
      });
      const detail = (await (await fetch(`${simUrl}/_sim/people/${person.cio_id}?site_id=sim-site-us`)).json()) as {
        attributes: Record<string, unknown>;
        events: Array<{ name: string; data: unknown }>;
      };
      assert.equal(detail.attributes.plan, 'pro');
      assert.deepEqual(
        detail.events.map((e) => [e.name, e.data]),
        [['Signup', { source: 'readme' }]],
      );

      server.child.kill('SIGTERM');
      assert.equal(await exitOf(server), 0, server.stderr());
      exited = true;
      assert.ok(await refused(`${simUrl}/_sim`), 'the simulator stopped with the service');
      assert.ok(await refused(`${server.url}/healthz`), 'the service stopped');
    } finally {
      if (!exited) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
  });

  it('--simulator with --customerio-url: exits 2 with a usage message, before touching the data directory', async () => {
    const dataDir = `${newDataDir('ampstream-serve-sim-both-')}/data`;
    const both = runCli(['serve', '--port', '0', '--data-dir', dataDir, '--simulator', '--customerio-url', 'http://127.0.0.1:9100'], CLEAN_ENV);
    assert.equal(await exitOf(both), 2);
    assert.equal(
      both.stderr(),
      'ampstream: --simulator and --customerio-url cannot be used together: with the simulator, deliveries go to it; drop one of them (simulator)\n',
    );
    const fromEnv = runCli(['serve', '--port', '0', '--data-dir', dataDir, '--simulator'], { ...CLEAN_ENV, AMPSTREAM_CUSTOMERIO_URL: 'http://127.0.0.1:9100' });
    assert.equal(await exitOf(fromEnv), 2);
    assert.match(fromEnv.stderr(), /--simulator and AMPSTREAM_CUSTOMERIO_URL cannot be used together/);
    assert.ok(!existsSync(dataDir), 'nothing was started');
  });

  it("exits 2 saying so when the simulator's port is taken", async () => {
    const dataDir = newDataDir('ampstream-serve-sim-busy-');
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const cli = runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--simulator', '--simulator-port', String(port)], {
        ...CLEAN_ENV,
        AMPSTREAM_LOG_LEVEL: 'warn',
      });
      assert.equal(await exitOf(cli), 2);
      assert.match(cli.stderr(), new RegExp(`the Customer.io simulator cannot listen on 127\\.0\\.0\\.1:${port}: the port is taken .*--simulator-port`));
    } finally {
      taken.close();
    }
  });
});

describe('serve --simulator in-process', () => {
  it('exposes the running simulator on the service: what arrived, read without HTTP; stop() closes it', async () => {
    const service = await startTestService({ env: { AMPSTREAM_SIMULATOR: 'on', AMPSTREAM_SIMULATOR_PORT: '0', AMPSTREAM_BATCH_WAIT_MS: '5' } });
    let disposed = false;
    try {
      const simulator = service.simulator;
      assert.ok(simulator !== undefined, 'service.simulator is set');
      assert.match(simulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(
        simulator.workspaces.map((w) => [w.siteId, w.apiKey, w.region]),
        [
          ['sim-site-us', 'sim-key-us', 'us'],
          ['sim-site-eu', 'sim-key-eu', 'eu'],
        ],
      );
      assert.equal('close' in simulator || 'reset' in simulator || 'setFaults' in simulator, false, 'a view: the service owns its life');

      const created = await service.admin('POST', '/api/syncs', syncFor({ site_id: 'sim-site-us', api_key: 'sim-key-us', region: 'us' }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const sent = await postJson(`${service.url}/2/httpapi`, {
        api_key: service.apiKey,
        events: [
          { user_id: 'sim-user-0002', event_type: 'Page Viewed', event_properties: { path: '/pricing' }, user_properties: { $set: { plan: 'team' } } },
          { device_id: 'sim-device-0002', event_type: 'Anonymous Browse' },
        ],
      });
      assert.equal(sent.status, 200, sent.text);

      const person = await eventually('the person', () => {
        const found = simulator.person({ id: 'sim-user-0002' }, 'sim-site-us');
        return found !== undefined && found.events.length === 1 ? found : undefined;
      });
      assert.equal(person.attributes.plan, 'team');
      assert.deepEqual(person.events[0]?.name, 'Page Viewed');
      assert.deepEqual(person.events[0]?.data, { path: '/pricing' });
      assert.deepEqual(
        simulator.people().map((p) => [p.id, p.event_count]),
        [['sim-user-0002', 1]],
        'the first workspace by default; the anonymous event was not sent (the sync does not send anonymous events)',
      );
      assert.deepEqual(simulator.people('sim-site-eu'), []);
      assert.deepEqual(simulator.anonymousEvents('sim-site-us'), {});
      assert.ok(simulator.requests().some((r) => r.url.includes('/api/v2/batch') && r.site_id === 'sim-site-us'), 'the request log');
      assert.ok(simulator.counters().requests > 0);
      assert.equal(simulator.faults().errorRate, undefined, 'no faults');

      await service.dispose();
      disposed = true;
      assert.ok(await refused(`${simulator.url}/_sim`), 'stop() closed the simulator');
    } finally {
      if (!disposed) await service.dispose();
    }
  });

  it('has no simulator unless asked for', async () => {
    const service = await startTestService();
    try {
      assert.equal(service.simulator, undefined);
    } finally {
      await service.dispose();
    }
  });
});
