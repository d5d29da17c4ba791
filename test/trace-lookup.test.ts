/**
 * The trace's look-up, the same through its three faces (admin API, CLI, web UI): by device_id an
 * anonymous visitor's events are found, before and after a login linked the device to a user, with
 * what each sync did with them; several keys combine; a key given twice, an over-long value or no
 * key at all is answered with a message naming the parameter (never a 500).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { runCli } from './helpers/process.js';
import { ADMIN_TOKEN, createProject, postJson, startTestService, type TestService } from './helpers/service.js';
import { drained } from './helpers/sync-fixture.js';
import { UiSession } from './helpers/ui-session.js';

const API_KEY = 'TRACE_LOOKUP_KEY_1';
const DEVICE = 'visitor-device-1';
const USER = 'visitor-user-1';
/** A device id as long as ingestion keeps (1024 characters). */
const LONG_DEVICE = `long-device-${'d'.repeat(1012)}`;

let sim: CustomerIoSimulator;
let service: TestService;
let syncId: number;
let ui: UiSession;

async function ingest(events: Record<string, unknown>[]): Promise<void> {
  assert.equal((await postJson(`${service.url}/batch`, { api_key: API_KEY, events })).status, 200);
  await drained(service, syncId);
}

async function cli(args: string[]): Promise<{ code: number | string; out: string; err: string }> {
  const run = runCli([...args, '--url', service.url], { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
  const code = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}

const trace = (query: string) => service.admin('GET', `/api/trace?${query}`);
const uiTrace = (query: string) => ui.get(`/ui/syncs/${syncId}/trace?${query}`);
/** The event types and insert ids of a UI trace, in order. */
const uiEvents = (html: string) => [...html.matchAll(/<h3 id="trace-\d+">([^<]+) <span class="mono muted">([^<]+)<\/span><\/h3>/g)].map((m) => m[1]);
/** The alert a UI page shows. */
const uiAlert = (html: string) => /<div class="notice notice-error" role="alert">([^<]*)<\/div>/.exec(html)?.[1];

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000 });
  service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5' } });
  const projectId = await createProject(service, 'web', API_KEY);
  const sync = await service.admin('POST', '/api/syncs', {
    name: 'Web visitors',
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    send_events: { anonymous: true },
    send_users: { enabled: false },
  });
  assert.equal(sync.status, 201, JSON.stringify(sync.body));
  syncId = sync.body.id;
  // an anonymous visit, a login on the same device, then the device alone again
  await ingest([
    { device_id: DEVICE, event_type: 'Pricing Viewed', insert_id: 'visit-1' },
    { device_id: DEVICE, event_type: 'Plan Compared', insert_id: 'visit-2' },
    { device_id: 'other-device-1', event_type: 'Pricing Viewed', insert_id: 'other-1' },
    { device_id: LONG_DEVICE, event_type: 'Long Device', insert_id: 'long-1' },
  ]);
  await ingest([{ user_id: USER, device_id: DEVICE, event_type: 'Signed In', insert_id: 'login-1' }]);
  await ingest([
    { device_id: DEVICE, event_type: 'Checkout Opened', insert_id: 'after-1' },
    { user_id: USER, event_type: 'Invoice Paid', insert_id: 'server-1' },
  ]);
  ui = new UiSession(service.url);
  await ui.signIn(ADMIN_TOKEN, '/ui/syncs');
});

after(async () => {
  await service?.dispose();
  await sim?.close();
});

describe('the trace by device_id', () => {
  it("admin API: the device's events before and after the login, with what the sync did with them", async () => {
    const reply = await trace(`device_id=${DEVICE}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const events = reply.body.events as any[];
    assert.deepEqual(
      events.map((e) => [e.event_type, e.user_id, e.person]),
      [
        ['Pricing Viewed', null, `device:${DEVICE}`],
        ['Plan Compared', null, `device:${DEVICE}`],
        ['Signed In', USER, `user:${USER}`],
        ['Checkout Opened', USER, `user:${USER}`],
      ],
      "only this device's events (not the user's server-side one), oldest first; after the login they are the user's",
    );
    const steps = (event: any) => event.syncs[0].steps.map((s: any) => (s.step === 'planned' ? `planned ${s.action} ${JSON.stringify(s.item.identifiers)}` : s.step));
    assert.deepEqual(steps(events[0]), [`planned event {"anonymous_id":"${DEVICE}"}`, 'attempt', 'delivered'], 'sent as anonymous activity');
    assert.deepEqual(
      steps(events[2]),
      [`planned identify {"id":"${USER}"}`, 'attempt', 'delivered', `planned event {"id":"${USER}"}`, 'attempt', 'delivered'],
      'the login: an identify that merges the device into the user, then the event',
    );
    assert.equal(events[2].syncs[0].steps[0].item.attributes.anonymous_id, DEVICE, 'the identify names the device: Customer.io merges its activity');
    assert.deepEqual(steps(events[3]), [`planned event {"id":"${USER}"}`, 'attempt', 'delivered'], 'after the login, the device is the user');
    assert.deepEqual(sim.person({ id: USER }, SIM_WORKSPACE.siteId)?.events.map((e) => e.name), ['Pricing Viewed', 'Plan Compared', 'Signed In', 'Checkout Opened', 'Invoice Paid'], 'Customer.io merged the anonymous activity into the user');

    const long = await trace(`device_id=${LONG_DEVICE}`);
    assert.deepEqual(long.body.events.map((e: any) => e.event_type), ['Long Device'], 'an id of 1024 characters, the most ingestion keeps');
    assert.deepEqual((await trace('device_id=no-such-device')).body.events, []);
  });

  it('web UI: a Device ID field, the same events, and the user the device belongs to', async () => {
    const page = await uiTrace(`device_id=${DEVICE}`);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`<input id="trace-device-id" name="device_id" type="search" value="${DEVICE}" maxlength="1024"`));
    assert.deepEqual(uiEvents(page.html), ['Pricing Viewed', 'Plan Compared', 'Signed In', 'Checkout Opened']);
    assert.match(page.html, new RegExp(`<p role="status">4 events with device ID “${DEVICE}”\\.</p>`));
    assert.match(page.html, new RegExp(`Device ID “${DEVICE}” belongs to user “${USER}”`));
    assert.match(page.html, new RegExp(`<a href="/ui/syncs/${syncId}/trace\\?user_id=${USER}">`), 'a link to the trace of that user');
    assert.match(page.html, /<th scope="row">Planned<\/th><td>[^<]+<\/td><td><details><summary>User update \(delivery \d+\)/, "the login's identify, which merged the device");

    const fragment = await ui.request('GET', `/ui/syncs/${syncId}/trace?insert_id=&user_id=&device_id=other-device-1`, {
      headers: { 'hx-request': 'true', 'hx-target': 'trace-results' },
    });
    assert.equal(fragment.status, 200);
    assert.doesNotMatch(fragment.html, /<html/);
    assert.deepEqual(uiEvents(fragment.html), ['Pricing Viewed'], "the form's empty fields are keys not given");
    assert.doesNotMatch(fragment.html, /belongs to user/, 'a device no login linked');

    assert.deepEqual(uiEvents((await uiTrace(`device_id=${LONG_DEVICE}`)).html), ['Long Device'], 'the whole 1024 characters are looked up (not the first 1000)');
    const empty = await uiTrace('');
    assert.match(empty.html, /Give an insert ID, a user ID or a device ID/);
  });

  it('CLI: --device-id', async () => {
    const { code, out } = await cli(['trace', '--device-id', DEVICE]);
    assert.equal(code, 0);
    assert.deepEqual([...out.matchAll(/^event #\d+ "([^"]+)" insert_id \S+ person (\S+)$/gm)].map((m) => [m[1], m[2]]), [
      ['Pricing Viewed', `device:${DEVICE}`],
      ['Plan Compared', `device:${DEVICE}`],
      ['Signed In', `user:${USER}`],
      ['Checkout Opened', `user:${USER}`],
    ]);
  });
});

describe('a trace of more events than a page: each face says more follow and how to get them', () => {
  const BUSY = 'busy-device-1';
  const BUSY_USER = 'busy-user-1';
  before(async () => {
    await ingest(Array.from({ length: 25 }, (_, i) => ({ device_id: BUSY, event_type: 'Page Viewed', insert_id: `busy-${i + 1}` })));
    await ingest([{ user_id: BUSY_USER, device_id: BUSY, event_type: 'Signed In', insert_id: 'busy-login' }]);
  });

  it('admin API: next_after, the seq of the last event of the page, until the last page (null)', async () => {
    const first = await trace(`device_id=${BUSY}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.events.length, 20);
    assert.equal(first.body.next_after, first.body.events[19].seq);
    const second = await trace(`device_id=${BUSY}&after=${first.body.next_after}`);
    assert.deepEqual(second.body.events.map((e: any) => e.insert_id), ['busy-21', 'busy-22', 'busy-23', 'busy-24', 'busy-25', 'busy-login']);
    assert.equal(second.body.next_after, null);
    const exact = await trace(`device_id=${BUSY}&limit=26`);
    assert.equal(exact.body.events.length, 26);
    assert.equal(exact.body.next_after, null, 'no more: a page that ends with the last event says so');
    assert.equal((await trace(`device_id=${DEVICE}`)).body.next_after, null);
  });

  it('CLI: --limit and --after, and "more: run again with --after"', async () => {
    const first = await cli(['trace', '--device-id', BUSY, '--limit', '10']);
    assert.equal(first.code, 0);
    assert.equal([...first.out.matchAll(/^event #/gm)].length, 10);
    const after = /^more: run again with --after (\d+)$/m.exec(first.out)?.[1];
    assert.ok(after !== undefined, first.out.slice(-200));
    const last = await cli(['trace', '--device-id', BUSY, '--after', after, '--limit', '100']);
    assert.equal([...last.out.matchAll(/^event #/gm)].length, 16);
    assert.match(last.out, /"Signed In" insert_id busy-login/);
    assert.doesNotMatch(last.out, /^more:/m);
    const json = await cli(['trace', '--device-id', BUSY, '--json']);
    assert.equal((JSON.parse(json.out) as unknown[]).length, 20, 'stdout stays the JSON list');
    assert.match(json.err, /^more: run again with --after \d+$/m);
  });

  it('web UI: "Show the next 20" and back to the first', async () => {
    const first = await uiTrace(`device_id=${BUSY}`);
    assert.equal(uiEvents(first.html).length, 20);
    assert.match(first.html, new RegExp(`<p role="status">The first 20 events with device ID “${BUSY}”, oldest first; more follow\\.</p>`));
    const next = new RegExp(`<a href="(/ui/syncs/${syncId}/trace\\?device_id=${BUSY}&amp;after=(\\d+))">Show the next 20</a>`).exec(first.html);
    assert.ok(next !== null, 'a link to the next page');
    const second = await ui.get((next[1] as string).replace(/&amp;/g, '&'));
    assert.deepEqual(uiEvents(second.html), ['Page Viewed', 'Page Viewed', 'Page Viewed', 'Page Viewed', 'Page Viewed', 'Signed In']);
    assert.match(second.html, /no more follow\./);
    assert.doesNotMatch(second.html, /Show the next/);
    assert.match(second.html, new RegExp(`<a href="/ui/syncs/${syncId}/trace\\?device_id=${BUSY}">Back to the first 20</a>`));
  });
});

describe('several keys at once combine: an event must match them all', () => {
  it('the same in the admin API, the CLI and the web UI', async () => {
    const api = await trace(`device_id=${DEVICE}&user_id=${USER}`);
    assert.deepEqual(api.body.events.map((e: any) => e.event_type), ['Signed In', 'Checkout Opened'], "the user's events from this device");
    assert.deepEqual((await trace(`device_id=${DEVICE}&insert_id=visit-2`)).body.events.map((e: any) => e.event_type), ['Plan Compared']);
    assert.deepEqual((await trace(`device_id=other-device-1&user_id=${USER}`)).body.events, []);
    const { out } = await cli(['trace', '--device-id', DEVICE, '--user-id', USER]);
    assert.deepEqual([...out.matchAll(/^event #\d+ "([^"]+)"/gm)].map((m) => m[1]), ['Signed In', 'Checkout Opened']);
    const page = await uiTrace(`device_id=${DEVICE}&user_id=${USER}`);
    assert.deepEqual(uiEvents(page.html), ['Signed In', 'Checkout Opened']);
    assert.match(page.html, new RegExp(`2 events with user ID “${USER}” and device ID “${DEVICE}”`));
  });
});

describe('the trace refuses, naming the parameter', () => {
  for (const key of ['insert_id', 'user_id', 'device_id']) {
    it(`${key} given more than once`, async () => {
      const api = await trace(`${key}=a-value&${key}=b-value`);
      assert.equal(api.status, 400);
      assert.deepEqual(api.body, {
        error: 'invalid_request',
        message: `${key} is given more than once; give it once (to trace several events, trace them one at a time)`,
        field: key,
      });
      const page = await uiTrace(`${key}=a-value&${key}=b-value`);
      assert.equal(page.status, 400);
      assert.equal(uiAlert(page.html), `${key} is given more than once; give it once (to trace several events, trace them one at a time)`);
      assert.match(page.html, /<form method="get" action="\/ui\/syncs\/\d+\/trace"/, 'the form stays, to search again');
      const option = `--${key.replace('_', '-')}`;
      const run = await cli(['trace', option, 'a-value', option, 'b-value']);
      assert.equal(run.code, 2);
      assert.match(run.err, new RegExp(`${option} is given more than once; give it once`));
    });
  }

  it('project_id, limit or after given more than once: refused without the hint that belongs to the keys', async () => {
    for (const key of ['project_id', 'limit', 'after']) {
      const api = await trace(`device_id=${DEVICE}&${key}=1&${key}=2`);
      assert.equal(api.status, 400);
      assert.deepEqual(api.body, { error: 'invalid_request', message: `${key} is given more than once; give it once`, field: key });
    }
    const page = await uiTrace(`device_id=${DEVICE}&after=1&after=2`);
    assert.equal(page.status, 400);
    assert.equal(uiAlert(page.html), 'after is given more than once; give it once');
    const run = await cli(['trace', '--device-id', DEVICE, '--limit', '1', '--limit', '2']);
    assert.equal(run.code, 2);
    assert.match(run.err, /--limit is given more than once; give it once \(limit\)$/m);
  });

  it('an empty project_id, limit or after counts as not given, as an empty key does', async () => {
    const api = await trace(`device_id=${DEVICE}&project_id=&limit=&after=`);
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.equal(api.body.events.length, 4);
    assert.equal((await uiTrace(`device_id=${DEVICE}&after=`)).status, 200);
  });

  it("the CLI names its own options, not the API's parameters", async () => {
    for (const [args, message] of [
      [['--project', 'abc'], /--project must be a project id, a positive integer \(got 'abc'\)/],
      [['--limit', '0'], /--limit must be a whole number from 1 to 100/],
      [['--after', 'x'], /--after must be an event's seq/],
    ] as [string[], RegExp][]) {
      const run = await cli(['trace', '--device-id', DEVICE, ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.err, message, args.join(' '));
      assert.doesNotMatch(run.err, /querystring|project_id/);
    }
  });

  it('a value longer than ingestion keeps (1024 characters)', async () => {
    const long = 'x'.repeat(1025);
    const api = await trace(`device_id=${long}`);
    assert.equal(api.status, 400);
    assert.equal(api.body.field, 'device_id');
    assert.equal(api.body.message, 'device_id is 1025 characters long; ids are cut to 1024 characters when ingested, so no event has it');
    const page = await uiTrace(`insert_id=${long}`);
    assert.equal(page.status, 400);
    assert.equal(uiAlert(page.html), 'insert_id is 1025 characters long; ids are cut to 1024 characters when ingested, so no event has it');
    const run = await cli(['trace', '--user-id', long]);
    assert.equal(run.code, 2);
    assert.match(run.err, /--user-id is 1025 characters long/);
  });

  it('no key, or only empty ones', async () => {
    for (const query of ['', 'device_id=', 'insert_id=&user_id=&device_id=', 'project_id=1']) {
      const api = await trace(query);
      assert.equal(api.status, 400, query);
      assert.deepEqual(api.body, { error: 'invalid_request', message: 'give insert_id, user_id or device_id', field: 'insert_id' });
    }
    const run = await cli(['trace', '--device-id', '']);
    assert.equal(run.code, 2);
    assert.match(run.err, /give --insert-id, --user-id or --device-id/);
    const page = await uiTrace('device_id=');
    assert.equal(page.status, 200, 'the form, not yet filled in');
    assert.match(page.html, /Give an insert ID, a user ID or a device ID/);
  });

  it('matches a value exactly, spaces included', async () => {
    assert.deepEqual((await trace(`device_id=%20${DEVICE}`)).body.events, []);
    assert.match((await uiTrace(`device_id=%20${DEVICE}`)).html, new RegExp(`No event of this sync's project has device ID “ ${DEVICE}”\\.`));
  });
});
