/**
 * `ampstream status`, `ampstream trace` and `ampstream dead-letters …` against a real server process
 * and the simulator.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, postJson, tempDir, adminFetch } from './helpers/service.js';

const SITE = 'ops-site';
const KEY = 'ops-secret-key-0001';
let sim: CustomerIoSimulator;
let server: ServerProcess;
const dataDir = tempDir('ampstream-cli-ops-');

async function cli(args: string[]): Promise<{ code: number | string; out: string; err: string }> {
  const run = runCli([...args, '--url', server.url], { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
  const code = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}

const admin = (method: string, path: string, body?: unknown) => adminFetch(server.url, method, path, body);

before(async () => {
  sim = await startCustomerIoSimulator({
    port: 0,
    host: '127.0.0.1',
    workspaces: [{ siteId: SITE, apiKey: KEY, region: 'us' }],
    faults: { scripted: [{ match: { itemName: 'Broken' }, rejectItems: { reason: 'invalid', field: 'attributes.x', message: 'no good' } }] },
  });
  server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5' });
  const project = await admin('POST', '/api/projects', { name: 'ops', api_key: 'OPS_KEY_000001' });
  const sync = await admin('POST', '/api/syncs', { name: 'ops sync', project_id: project.id, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
  const events = [
    { user_id: 'ops-user-1', event_type: 'Fine', insert_id: 'ops-fine' },
    { user_id: 'ops-user-2', event_type: 'Broken', insert_id: 'ops-broken' },
  ];
  assert.equal((await postJson(`${server.url}/2/httpapi`, { api_key: 'OPS_KEY_000001', events })).status, 200);
  for (;;) {
    if ((await admin('GET', `/api/syncs/${sync.id}`)).deliveries.pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
});

after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ampstream status, trace and dead-letters', () => {
  it('status: a row per sync with its backlog, last hour and dead letters', async () => {
    const { code, out } = await cli(['status']);
    assert.equal(code, 0);
    const [header, row] = out.trim().split('\n');
    assert.match(header ?? '', /^id\s+name\s+enabled\s+status\s+backlog\s+oldest\s+delivered 1h\s+failed 1h\s+p95 1h\s+dead letters$/);
    assert.match(row ?? '', /^1\s+ops sync\s+yes\s+active\s+0\s+-\s+1\s+1\s+\d+\.\d\ds\s+1$/);
  });

  it('trace: each step of an event per sync', async () => {
    const { code, out } = await cli(['trace', '--insert-id', 'ops-broken']);
    assert.equal(code, 0);
    assert.match(out, /event #2 "Broken" insert_id ops-broken person user:ops-user-2/);
    assert.match(out, /ingested through httpapi, request \S+/);
    assert.match(out, /planned event #\d+/);
    assert.match(out, /request: rejected \(207\) invalid: attributes\.x: no good/);
    assert.match(out, /dead-lettered #\d+: rejected/);
    const unknown = await cli(['trace', '--insert-id', 'ops-no-such-event']);
    assert.equal(unknown.code, 1, 'no event matches: exit 1, so a script can tell');
    assert.equal(unknown.out, 'no such event\n');
    const unknownJson = await cli(['trace', '--insert-id', 'ops-no-such-event', '--json']);
    assert.equal(unknownJson.code, 1);
    assert.deepEqual(JSON.parse(unknownJson.out), []);
    const none = await cli(['trace']);
    assert.equal(none.code, 2);
    assert.match(none.err, /give --insert-id, --user-id or --device-id/);
  });

  it('dead-letters: list, show, replay once, drop', async () => {
    const list = await cli(['dead-letters', 'list', '1']);
    assert.equal(list.code, 0);
    assert.match(list.out, /rejected\s+event "Broken"\s+user:ops-user-2\s+1/);
    const id = /^(\d+)\s/m.exec(list.out.split('\n')[1] ?? '')?.[1] as string;
    const show = await cli(['dead-letters', 'show', '1', id]);
    assert.equal(JSON.parse(show.out).item.name, 'Broken');

    sim.setFaults({});
    const replay = await cli(['dead-letters', 'replay', '1', '--reason', 'rejected']);
    assert.equal(replay.out, 'replayed 1, skipped 0\n');
    for (;;) {
      if ((await admin('GET', '/api/syncs/1')).deliveries.pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(sim.person({ id: 'ops-user-2' }, SITE)?.events.map((e) => e.name), ['Broken']);
    const traced = await cli(['trace', '--insert-id', 'ops-broken']);
    assert.match(traced.out, /request: rejected \(207\)[^\n]*\n +\S+ {2}replayed from the dead-letter store\n +\S+ {2}request: delivered \(200\)/);
    assert.doesNotMatch(traced.out, /request: replayed/, 'a replay is no request');
    assert.equal((await cli(['dead-letters', 'replay', '1', '--ids', id])).out, 'replayed 0, skipped 0\n');
    assert.equal((await cli(['dead-letters', 'drop', '1', '--reason', 'expired'])).out, 'dropped 0\n');
    for (const command of ['list', 'replay', 'drop']) {
      const notIso = await cli(['dead-letters', command, '1', '--from', 'March 3']);
      assert.equal(notIso.code, 2, command);
      assert.match(notIso.err, /from must be an ISO-8601 date and time such as 2022-10-01T07:00:00\+01:00/);
      const offCalendar = await cli(['dead-letters', command, '1', '--to', '2026-11-31T00:00:00Z']);
      assert.equal(offCalendar.code, 2, command);
      assert.match(offCalendar.err, /to is not a date on the calendar: 2026-11 has days 01 to 30/);
    }
    const bad = await cli(['dead-letters', 'replay', '1', '--ids', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /a dead letter id is a positive integer/);
  });
});
