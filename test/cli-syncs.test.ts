/**
 * `ampstream syncs …` against a real server process, with the Customer.io simulator standing in
 * for Customer.io: every command, errors that name the field, and keys that never reach the output.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { REPO_ROOT, runCli, startServerProcess, type CliProcess, type ServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, postJson, tempDir } from './helpers/service.js';

const SITE = 'cli-sync-site';
const KEY = 'cli-right-secret-key-0001';
const WRONG_KEY = 'cli-wrong-secret-key-0002';

let sim: CustomerIoSimulator;
let server: ServerProcess;
let apiKey: string;
const dataDir = tempDir('ampstream-cli-syncs-');
/** Every CLI run of this file, to check that no key was ever printed. */
const runs: CliProcess[] = [];

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [{ siteId: SITE, apiKey: KEY, region: 'us' }] });
  server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5' });
  apiKey = (/API key \(shown once\): (\S+)/.exec(server.stderr()) as RegExpExecArray)[1] as string;
});

after(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `ampstream syncs ARGS` against the test server and resolves when it exits. */
async function syncs(args: string[], input?: string): Promise<{ code: number | string; out: string; err: string }> {
  const cli = runCli(['syncs', ...args, '--url', server.url], { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN }, input);
  runs.push(cli);
  const code = await cli.exited;
  return { code, out: cli.stdout(), err: cli.stderr() };
}

function file(name: string, content: unknown): string {
  const path = join(dataDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const SYNC = {
  name: 'Customer.io (sim)',
  project_id: 1,
  customerio: { site_id: SITE, api_key: KEY, region: 'us' },
  send_users: { properties: ['plan'] },
};

/** Reads a sync straight from the admin API (to check what a command did). */
async function syncFromApi(id: number): Promise<any> {
  const reply = await fetch(`${server.url}/api/syncs/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return reply.json();
}

/** Ingests one event and waits until sync 1 has nothing pending. */
async function sendAndDeliver(event: Record<string, unknown>): Promise<void> {
  const sent = await postJson(`${server.url}/2/httpapi`, { api_key: apiKey, events: [event] });
  assert.equal(sent.status, 200, sent.text);
  const deadline = Date.now() + 20_000;
  while ((await syncFromApi(1)).deliveries.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('ampstream syncs', () => {
  it('create --file makes a sync and says so; --file - reads stdin', async () => {
    const created = await syncs(['create', '--file', file('sync.json', SYNC)]);
    assert.equal(created.code, 0, created.err);
    assert.equal(created.out, 'created sync 1 "Customer.io (sim)" (project 1): active\n');

    const fromStdin = await syncs(['create', '--file', '-', '--json'], JSON.stringify({ ...SYNC, name: 'Second', enabled: false }));
    assert.equal(fromStdin.code, 0, fromStdin.err);
    const second = JSON.parse(fromStdin.out);
    assert.equal(second.id, 2);
    assert.deepEqual(second.customerio, { site_id: SITE, region: 'us', api_key_set: true });
    assert.equal(second.status.state, 'disabled');
  });

  it('show prints the config without the key, the status and the delivery counts once events went out', async () => {
    await sendAndDeliver({ user_id: 'cli-user-1', event_type: 'Signed Up', user_properties: { $set: { plan: 'pro' } } });

    const shown = await syncs(['show', '1']);
    assert.equal(shown.code, 0, shown.err);
    const lines = shown.out.split('\n');
    assert.equal(lines[0], 'sync 1 "Customer.io (sim)" (project 1)');
    assert.equal(lines[1], 'status:     active');
    assert.equal(lines[2], 'deliveries: pending 0, delivered 2, dead 0, discarded 0', 'the identify and the event');
    assert.match(shown.out, /"api_key_set": true/);
    const json = await syncs(['show', '1', '--json']);
    assert.deepEqual(JSON.parse(json.out).deliveries, { pending: 0, delivered: 2, dead: 0, discarded: 0 });
    assert.deepEqual(sim.person({ id: 'cli-user-1' }, SITE)?.events.map((e) => e.name), ['Signed Up']);
  });

  it('list prints a table of every sync, or of one project, with status and counts', async () => {
    const listed = await syncs(['list']);
    assert.equal(listed.code, 0, listed.err);
    const [header, first, second, ...rest] = listed.out.trimEnd().split('\n');
    assert.match(header ?? '', /^id\s+project\s+name\s+status\s+pending\s+delivered\s+dead$/);
    assert.match(first ?? '', /^1\s+1\s+Customer\.io \(sim\)\s+active\s+0\s+2\s+0$/);
    assert.match(second ?? '', /^2\s+1\s+Second\s+disabled\s+0\s+0\s+0$/);
    assert.deepEqual(rest, []);

    const json = await syncs(['list', '--project', '1', '--json']);
    assert.deepEqual(JSON.parse(json.out).map((s: any) => s.name), ['Customer.io (sim)', 'Second']);
  });

  it('update --file replaces the sync with what show or show --json printed (the key is kept); --patch merges', async () => {
    const config = (await syncs(['show', '1'])).out.split('never shown):\n')[1] as string;
    const replaced = await syncs(['update', '1', '--file', file('replace.json', config.replace('"Customer.io (sim)"', '"Renamed"'))]);
    assert.equal(replaced.code, 0, replaced.err);
    assert.equal(replaced.out, 'updated sync 1 "Renamed" (project 1): active\n');

    const json = JSON.parse((await syncs(['show', '1', '--json'])).out);
    const fromJson = await syncs(['update', '1', '--file', file('show.json', { ...json, name: 'Renamed from --json' })]);
    assert.equal(fromJson.code, 0, fromJson.err);
    assert.equal(fromJson.out, 'updated sync 1 "Renamed from --json" (project 1): active\n', 'what show --json printed goes back as is');
    const back = await syncs(['update', '1', '--file', file('show-again.json', (await syncs(['show', '1', '--json'])).out.replace('"Renamed from --json"', '"Renamed"'))]);
    assert.equal(back.code, 0, back.err);

    const patched = await syncs(['update', '1', '--patch', '--file', file('patch.json', { send_users: { properties: ['plan', 'email'] } })]);
    assert.equal(patched.code, 0, patched.err);
    const sync = await syncFromApi(1);
    assert.equal(sync.name, 'Renamed', 'a patch leaves the rest alone');
    assert.deepEqual(sync.send_users.properties, ['plan', 'email']);
  });

  it('disable stops the sync (events meanwhile are not sent); enable starts it again', async () => {
    const disabled = await syncs(['disable', '1']);
    assert.equal(disabled.code, 0, disabled.err);
    assert.equal(disabled.out, 'disabled sync 1 "Renamed" (project 1): disabled\n');
    await sendAndDeliver({ user_id: 'cli-user-1', event_type: 'While Disabled' });
    const enabled = await syncs(['enable', '1']);
    assert.equal(enabled.code, 0, enabled.err);
    assert.equal(enabled.out, 'enabled sync 1 "Renamed" (project 1): active\n');
    const revision = (await syncFromApi(1)).revision;
    assert.equal((await syncs(['enable', '1'])).code, 0, 'enabling an enabled sync is no error');
    assert.equal((await syncFromApi(1)).revision, revision, 'and no change: the revision stays');
    await sendAndDeliver({ user_id: 'cli-user-1', event_type: 'After Enable' });
    assert.deepEqual(sim.person({ id: 'cli-user-1' }, SITE)?.events.map((e) => e.name), ['Signed Up', 'After Enable']);
  });

  it('test says whether Customer.io accepts the credentials (the key survived the replace), and exits 1 when it does not', async () => {
    const good = await syncs(['test', '1']);
    assert.equal(good.code, 0, good.err);
    assert.equal(good.out, 'Customer.io accepts the credentials of sync 1 (region us)\n');

    const patch = file('wrong-key.json', { customerio: { site_id: SITE, api_key: WRONG_KEY } });
    assert.equal((await syncs(['update', '2', '--patch', '--file', patch])).code, 0);
    const bad = await syncs(['test', '2']);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, 'Customer.io does not accept the credentials of sync 2: Unauthorized request (credentials_rejected)\n');
  });

  it('a bad file exits 2 with the server\'s message and the field it names', async () => {
    const region = await syncs(['create', '--file', file('bad-region.json', { ...SYNC, name: 'EU', customerio: { ...SYNC.customerio, region: 'mars' } })]);
    assert.equal(region.code, 2);
    assert.equal(region.err, 'ampstream: customerio.region: must be equal to one of the allowed values ("us", "eu") (customerio.region)\n');

    const typo = await syncs(['update', '1', '--patch', '--file', file('typo.json', { send_user: { enabled: false } })]);
    assert.equal(typo.code, 2);
    assert.equal(typo.err, 'ampstream: send_user: unknown field (send_user)\n');

    const notJson = await syncs(['create', '--file', file('broken.json', `{"name": "x", "customerio": {"api_key": "${KEY}",}}`)]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.err, /broken\.json: not valid JSON \(line 1, column \d+\) \(file\)/);

    const proto = await syncs(['create', '--file', file('proto.json', `{"name": "p", "project_id": 1, "customerio": {"__proto__": {}, "site_id": "${SITE}", "api_key": "${KEY}"}}`)]);
    assert.equal(proto.code, 2);
    assert.match(proto.err, /^ampstream: \S*proto\.json: customerio\.__proto__: a "__proto__" key is not allowed; remove it \(file\)\n$/);

    const unknown = await syncs(['enable', '99']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.err, 'ampstream: sync 99 does not exist (id)\n');
  });

  it('output piped into a reader that stops early (| head) ends quietly, not with an EPIPE crash', async () => {
    // a sync whose JSON is far larger than a pipe holds, so writing it must hit the closed pipe
    const properties = Array.from({ length: 400 }, (_, i) => `property-${i}-${'x'.repeat(1000)}`);
    const big = await syncs(['create', '--json', '--file', file('big.json', { ...SYNC, name: 'Big', send_users: { properties } })]);
    assert.equal(big.code, 0, big.err);
    const id = String(JSON.parse(big.out).id);
    const cli = runCli(['syncs', 'show', id, '--json', '--url', server.url], { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
    cli.child.stdout?.once('data', () => cli.child.stdout?.destroy());
    assert.equal(await cli.exited, 0, cli.stderr());
    assert.equal(cli.stderr(), '');
    assert.ok(cli.stdout().length < JSON.stringify(properties).length, 'the reader stopped before the end');
    assert.equal((await syncs(['delete', id])).code, 0);
  });

  it('update --file of what show --json printed is conditional on its revision (--force skips it); --if-match for update, enable, disable and delete', async () => {
    const created = await syncs(['create', '--json', '--file', file('conditional.json', { ...SYNC, name: 'Conditional' })]);
    assert.equal(created.code, 0, created.err);
    const id = String(JSON.parse(created.out).id);
    const shown = file('conditional-shown.json', (await syncs(['show', id, '--json'])).out);
    assert.equal(JSON.parse(readFileSync(shown, 'utf8')).revision, 1);
    const api = await fetch(`${server.url}/api/syncs/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Conditional (renamed through the API)' }),
    });
    assert.equal(api.status, 200);

    const stale = await syncs(['update', id, '--file', shown]);
    assert.equal(stale.code, 2);
    assert.equal(stale.err, `ampstream: sync ${id} changed since revision 1 (now 2): nothing was changed; show it again, or use --force\n`);
    assert.equal((await syncFromApi(Number(id))).name, 'Conditional (renamed through the API)', 'the rename is not reverted');
    const stalePatch = await syncs(['update', id, '--patch', '--file', file('conditional-patch.json', { revision: 1, enabled: false })]);
    assert.equal(stalePatch.code, 2, 'a patch file with a revision is checked too');

    const forced = await syncs(['update', id, '--file', shown, '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.equal((await syncFromApi(Number(id))).name, 'Conditional', '--force overwrites, on purpose');
    assert.equal((await syncFromApi(Number(id))).revision, 3);

    const patch = file('conditional-disable.json', { enabled: false });
    const staleFlag = await syncs(['update', id, '--patch', '--file', patch, '--if-match', '2']);
    assert.equal(staleFlag.code, 2);
    assert.equal(staleFlag.err, `ampstream: sync ${id} changed since revision 2 (now 3): nothing was changed; show it again, or leave out --if-match\n`);
    const ahead = await syncs(['disable', id, '--if-match', '9']);
    assert.equal(ahead.code, 2);
    assert.equal(ahead.err, `ampstream: sync ${id} is at revision 3, not 9: nothing was changed; show it again, or leave out --if-match\n`);
    const disabled = await syncs(['disable', id, '--if-match', '3']);
    assert.equal(disabled.code, 0, disabled.err);
    assert.equal((await syncs(['enable', id, '--if-match', '3'])).code, 2, 'enable checks it too');
    assert.equal((await syncs(['enable', id, '--if-match', '4'])).code, 0);

    for (const [args, message] of [
      [['update', id, '--file', shown, '--if-match', '5', '--force'], /--if-match and --force/],
      [['enable', id, '--if-match', '007'], /--if-match: a revision as show prints it, such as 3 \(got "007"\)/],
      [['update', id, '--file', file('bad-revision.json', { revision: 'three' })], /bad-revision\.json: revision: .* or use --force/],
    ] as [string[], RegExp][]) {
      const refused = await syncs(args);
      assert.equal(refused.code, 2, args.join(' '));
      assert.match(refused.err, message);
    }

    const staleDelete = await syncs(['delete', id, '--if-match', '4']);
    assert.equal(staleDelete.code, 2);
    assert.match(staleDelete.err, /nothing was deleted/);
    assert.equal((await syncs(['delete', id, '--if-match', '5'])).code, 0);
    assert.equal((await syncFromApi(Number(id))).error, 'not_found');
  });

  it('delete removes the sync', async () => {
    const deleted = await syncs(['delete', '2']);
    assert.equal(deleted.code, 0, deleted.err);
    assert.equal(deleted.out, 'deleted sync 2\n');
    assert.equal((await syncFromApi(2)).error, 'not_found');
  });

  it('no command ever printed a Customer.io key, right or wrong', () => {
    assert.ok(runs.length >= 15, `${runs.length} runs checked`);
    for (const run of runs) {
      const output = `${run.stdout()}${run.stderr()}`;
      assert.ok(!output.includes(KEY) && !output.includes(WRONG_KEY), output);
    }
  });
});

describe('ampstream serve --config', () => {
  it("applies the README's example sync at every start, its key read from the environment", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const example = /## Syncs: sending to Customer\.io[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example !== undefined, 'the README shows a sync');
    const sync = { ...JSON.parse(example), customerio: { site_id: SITE, api_key: 'env:TEST_CIO_API_KEY', region: 'us' } };
    const configDir = tempDir('ampstream-config-file-');
    const path = join(configDir, 'syncs.json');
    writeFileSync(path, JSON.stringify({ syncs: [sync] }));
    const env = { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url, TEST_CIO_API_KEY: KEY };
    try {
      for (const applied of ['1 created, 0 updated, 0 unchanged', '0 created, 0 updated, 1 unchanged']) {
        const started = await startServerProcess(configDir, env, ['--config', path]);
        try {
          assert.match(started.stderr(), new RegExp(`syncs from .*syncs\\.json: ${applied}`));
          const test = runCli(['syncs', 'test', '1', '--url', started.url], { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
          assert.equal(await test.exited, 0, test.stdout() + test.stderr());
          assert.ok(!`${started.stderr()}${started.stdout()}`.includes(KEY), 'serve never prints the key');
        } finally {
          started.child.kill('SIGTERM');
          await started.exited;
        }
      }
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
