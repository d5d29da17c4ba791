/**
 * The delivery page of a sync, as a person uses it: signed in through the form, with the real
 * service and the Customer.io simulator. The summary shows what the metrics summary API says, the
 * chart counts what was delivered, a refused item is a dead letter that the page's forms replay or
 * drop (after a confirmation), the trace tells an event's steps, and forms without the CSRF token
 * change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatCount, formatRate, formatSeconds } from '../src/ui/format.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { ADMIN_TOKEN, createProject, postJson, type TestService } from './helpers/service.js';
import { drained as syncDrained, REFUSE_BAD_EVENT as BAD, startSyncFixture, type SyncFixture } from './helpers/sync-fixture.js';
import { UiSession, type UiPage } from './helpers/ui-session.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const API_KEY = 'UI_DELIVERY_KEY_1';

let fixture: SyncFixture;
let sim: SyncFixture['sim'];
let service: TestService;
let syncId: number;

/** What htmx adds to a request: its marker, the element it swaps, and the CSRF token (from <body hx-headers>). */
function htmx(ui: UiSession, target: string): Record<string, string> {
  return { 'hx-request': 'true', 'hx-target': target, 'x-csrf-token': ui.token };
}

/** The text of a summary card, as a person reads it. */
function card(html: string, label: string): string | undefined {
  return new RegExp(`<dt class="label">${label}</dt><dd class="value">([^<]*)</dd>`).exec(html)?.[1];
}

/** The ids of the dead letters in the page's table (their checkboxes). */
function deadLetterIds(html: string): number[] {
  return [...html.matchAll(/<input type="checkbox" id="dead-(\d+)" name="ids"/g)].map((m) => Number(m[1]));
}

async function counts(): Promise<{ pending: number; delivered: number; dead: number; discarded: number }> {
  return (await service.admin('GET', `/api/syncs/${syncId}`)).body.deliveries;
}

const drained = () => syncDrained(service, syncId);

async function ingest(events: Record<string, unknown>[]): Promise<void> {
  assert.equal((await postJson(`${service.url}/batch`, { api_key: API_KEY, events })).status, 200);
}

async function deadLetters(): Promise<any[]> {
  return (await service.admin('GET', `/api/syncs/${syncId}/dead-letters?limit=1000`)).body.dead_letters;
}

async function signIn(): Promise<UiSession> {
  const ui = new UiSession(service.url);
  await ui.signIn(ADMIN_TOKEN, '/ui/syncs');
  return ui;
}

before(async () => {
  fixture = await startSyncFixture({
    apiKey: API_KEY,
    syncName: 'Shop to Customer.io',
    // a failed request is retried a minute later: the retry waits in the table meanwhile
    env: { AMPSTREAM_RETRY_BASE_MS: '60000', AMPSTREAM_RETRY_CAP_MS: '60000', AMPSTREAM_RETRY_MAX_ATTEMPTS: '5' },
  });
  ({ sim, service, syncId } = fixture);
  sim.setFaults({ scripted: [BAD] });
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 12; i++) events.push({ user_id: `ui-user-${i % 3}`, event_type: 'Order Placed', insert_id: `order-${i}`, event_properties: { i } });
  events.push({ user_id: 'ui-user-bad', event_type: 'Bad Event', insert_id: 'bad-1', event_properties: { note: 'x' } });
  events.push({ device_id: 'ui-device-anonymous', event_type: 'Anonymous', insert_id: 'anon-1' });
  await ingest(events);
  await drained();
  sim.setFaults({});
});

after(async () => {
  await fixture.dispose();
});

describe('the delivery page of a sync', () => {
  it('shows the sync, its backlog, the summary the metrics summary API gives, and charts of what was delivered', async () => {
    const ui = await signIn();
    for (const period of ['ONE_HOUR', 'TEN_MINUTES', 'ONE_WEEK']) {
      const page = await ui.get(`/ui/syncs/${syncId}?period=${period}`);
      assert.equal(page.status, 200, page.html);
      const summary = (await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${syncId}&time_period=${period}`)).body;
      assert.equal(summary.eventsDelivered, 12);
      assert.equal(summary.eventsNotDelivered, 1);
      assert.equal(card(page.html, 'Delivered'), formatCount(summary.eventsDelivered), period);
      assert.equal(card(page.html, 'Not delivered'), formatCount(summary.eventsNotDelivered));
      assert.equal(card(page.html, 'Delivery rate'), formatRate(summary.deliveryRate));
      assert.equal(card(page.html, 'Latency p95'), formatSeconds(summary.latencyInSeconds));
      assert.equal(card(page.html, 'First attempt'), formatCount(summary.successOnFirstAttempt));
      assert.equal(card(page.html, 'After a retry'), formatCount(summary.successAfterRetry));
      assert.equal(card(page.html, 'Expired'), formatCount(summary.eventsExpired));
      assert.equal(card(page.html, 'Discarded'), formatCount(summary.eventsDiscarded));
      assert.equal(summary.eventsDiscarded, 1, 'the anonymous event had no identifier');
      assert.match(page.html, new RegExp(`<option value="${period}" selected>`), 'the period chosen is selected');
      const unit = period === 'ONE_WEEK' ? 'hour' : 'minute';
      assert.match(page.html, new RegExp(`<svg [^>]*role="img" aria-label="Delivered and failed per ${unit}\\. 12 delivered and 1 failed in this period`));
      // (the deliveries may straddle a minute's end)
      assert.match(page.html, new RegExp(`aria-label="Latency per ${unit}, ingest to delivered \\(p50, p95, p99\\)\\. Latency in (1 ${unit}|2 ${unit}s) with deliveries`));
      const rows = [...page.html.matchAll(/<th scope="row">[^<]+<\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g)];
      const sum = (column: 1 | 2) => rows.reduce((total, row) => total + Number(row[column]), 0);
      assert.deepEqual([sum(1), sum(2)], [12, 1], 'the chart\'s numbers, in its table');
    }
    const page = await ui.get(`/ui/syncs/${syncId}`);
    assert.match(page.html, /<h1>Shop to Customer\.io<\/h1>/);
    assert.match(page.html, /<span class="badge badge-ok">Enabled<\/span>/);
    assert.match(page.html, new RegExp(`<a class="btn" href="/ui/syncs/${syncId}/edit">Edit this sync</a>`));
    assert.match(page.html, /<dt>Backlog<\/dt><dd>0 pending<\/dd>/);
    assert.match(page.html, /<dt>Project<\/dt><dd>shop<\/dd>/);
    assert.match(page.html, /<option value="ONE_HOUR" selected>/, 'one hour unless asked');
    assert.match(page.html, /<th scope="row" class="mono">invalid_attribute<\/th>/, 'the error category, with its sample');
    assert.match(page.html, /property value cannot be longer than 1000 bytes/);
    assert.match(page.html, /No delivery is waiting for a retry\./);
    assert.doesNotMatch(page.html, /style=|<script>|NaN/, 'no inline styles or scripts, no NaN');

    const fragment = await ui.request('GET', `/ui/syncs/${syncId}?period=FOUR_HOURS`, { headers: htmx(ui, 'delivery-metrics') });
    assert.equal(fragment.status, 200);
    assert.match(fragment.html, /^<section id="delivery-metrics"/, 'htmx swaps only the figures and charts');
    assert.doesNotMatch(fragment.html, /<html/);
    assert.match(fragment.html, /Last 4 hours/);
  });

  it('lists the refused item as a dead letter; replaying it through the form delivers it and takes it off the table', async () => {
    const ui = await signIn();
    const page = await ui.get(`/ui/syncs/${syncId}`);
    const [dead] = await deadLetters();
    assert.equal(dead.item.name, 'Bad Event');
    assert.deepEqual(deadLetterIds(page.html), [dead.id]);
    const row = new RegExp(`<th scope="row">${dead.id}</th><td>Bad Event</td><td class="mono">user ui-user-bad</td><td>Refused by Customer\\.io</td><td>[^<]+ UTC</td><td>207 · invalid · attributes\\.note · property value cannot be longer than 1000 bytes</td>`);
    assert.match(page.html, row);
    assert.match(page.html, new RegExp(`<label for="dead-${dead.id}" class="visually-hidden">Select dead letter ${dead.id}</label>`));
    assert.match(page.html, /<caption>Dead letters, oldest first<\/caption>/);

    const after = await ui.follow(await ui.post(`/ui/syncs/${syncId}/dead-letters/replay`, { period: 'ONE_HOUR', ids: String(dead.id) }));
    assert.equal(after.status, 200);
    assert.match(after.html, /<div class="notice notice-ok" role="status">Replayed 1\. They are sent again now\.<\/div>/);
    assert.deepEqual(deadLetterIds(after.html), [], 'it left the table');
    await drained();
    const sent = sim.person({ id: 'ui-user-bad' }, SIM_WORKSPACE.siteId)?.events ?? [];
    assert.deepEqual(sent.map((e) => [e.name, e.event_id]), [['Bad Event', dead.item.id]], 'delivered once, with its original event id');
    assert.deepEqual(await deadLetters(), []);
    assert.equal((await counts()).dead, 0);
    const later = await ui.get(`/ui/syncs/${syncId}`);
    assert.doesNotMatch(later.html, /notice-ok/, 'the notice is shown once');
    assert.match(later.html, /The dead-letter store is empty/);
    assert.equal(card(later.html, 'Delivered'), '13');
  });

  it('drops a dead letter only after a confirmation (htmx or not), and says when nothing was selected', async () => {
    sim.setFaults({ scripted: [BAD] });
    await ingest([
      { user_id: 'ui-user-bad-2', event_type: 'Bad Event', insert_id: 'bad-2' },
      { user_id: 'ui-user-bad-3', event_type: 'Bad Event', insert_id: 'bad-3' },
    ]);
    await drained();
    sim.setFaults({});
    const ui = await signIn();
    const page = await ui.get(`/ui/syncs/${syncId}`);
    const ids = deadLetterIds(page.html);
    assert.equal(ids.length, 2);
    const [first, second] = ids as [number, number];

    const none = await ui.post(`/ui/syncs/${syncId}/dead-letters/drop`, { period: 'ONE_HOUR' }, htmx(ui, 'dead-letters'));
    assert.equal(none.status, 200);
    assert.match(none.html, /^<section id="dead-letters"/);
    assert.match(none.html, /notice-error" role="alert">Select at least one dead letter first/);

    // htmx: the section turns into the confirmation
    const ask = await ui.post(`/ui/syncs/${syncId}/dead-letters/drop`, { period: 'ONE_HOUR', ids: String(first) }, htmx(ui, 'dead-letters'));
    assert.equal(ask.status, 200);
    assert.match(ask.html, new RegExp(`<h2 id="dead-letters-title" tabindex="-1" autofocus>Drop 1 dead letter \\(${first}\\)\\?</h2>`));
    assert.match(ask.html, /<input type="hidden" name="confirm" value="yes"\/>/);
    assert.deepEqual((await deadLetters()).map((d) => d.id), ids, 'asking drops nothing');

    const confirmed = await ui.post(`/ui/syncs/${syncId}/dead-letters/drop`, { period: 'ONE_HOUR', confirm: 'yes', ids: String(first) }, htmx(ui, 'dead-letters'));
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.html, /^<section id="dead-letters"/);
    assert.match(confirmed.html, /Dropped 1\. They stay counted as not delivered\./);
    assert.deepEqual(deadLetterIds(confirmed.html), [second]);

    // a plain form: a confirmation page, then back to the delivery page
    const plainAsk = await ui.post(`/ui/syncs/${syncId}/dead-letters/drop`, { period: 'ONE_HOUR', all: '1' });
    assert.equal(plainAsk.status, 200);
    assert.match(plainAsk.html, /<h2 id="dead-letters-title" tabindex="-1" autofocus>Drop all 1 dead letter\?<\/h2>/);
    assert.match(plainAsk.html, new RegExp(`<a href="/ui/syncs/${syncId}#dead-letters">Cancel</a>`));
    const done = await ui.follow(await ui.post(`/ui/syncs/${syncId}/dead-letters/drop`, { period: 'ONE_HOUR', confirm: 'yes', all: '1' }));
    assert.match(done.html, /Dropped 1\. They stay counted as not delivered\./);
    assert.deepEqual(deadLetterIds(done.html), []);
    assert.deepEqual(await deadLetters(), []);
    assert.equal((await counts()).dead, 2, 'dropped dead letters stay counted as not delivered');
    assert.equal(card(done.html, 'Not delivered'), '2');
  });

  it('traces an event by insert_id or user id: its steps per sync, as a page or an htmx fragment', async () => {
    const ui = await signIn();
    const page = await ui.get(`/ui/syncs/${syncId}/trace?insert_id=bad-1`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<input id="trace-insert-id" name="insert_id" type="search" value="bad-1"/);
    assert.match(page.html, /<h3 id="trace-\d+">Bad Event <span class="mono muted">bad-1<\/span><\/h3>/);
    assert.match(page.html, /<caption>This sync “Shop to Customer\.io” \(#\d+\)<\/caption>/);
    const steps = [...page.html.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(steps, ['Planned', 'Attempt', 'Replayed', 'Attempt', 'Delivered'], 'refused, replayed, delivered');
    assert.match(page.html, /rejected \(HTTP 207\): invalid: attributes\.note: property value cannot be longer than 1000 bytes/);

    const fragment = await ui.request('GET', `/ui/syncs/${syncId}/trace?user_id=ui-user-1`, { headers: htmx(ui, 'trace-results') });
    assert.equal(fragment.status, 200);
    assert.doesNotMatch(fragment.html, /<html/);
    assert.match(fragment.html, /<p role="status">4 events with user ID “ui-user-1”\.<\/p>/);
    assert.equal([...fragment.html.matchAll(/<th scope="row">Delivered<\/th>/g)].length, 4);

    const anonymous = await ui.get(`/ui/syncs/${syncId}/trace?insert_id=anon-1`);
    assert.match(anonymous.html, /<th scope="row">Discarded<\/th><td>[^<]+<\/td><td><span>no identifier<\/span>/);
    const missing = await ui.get(`/ui/syncs/${syncId}/trace?insert_id=nope`);
    assert.match(missing.html, /No event of this sync's project has insert ID “nope”\./);
    const empty = await ui.get(`/ui/syncs/${syncId}/trace`);
    assert.match(empty.html, /Give an insert ID, a user ID or a device ID/);
  });

  it('shows a pending retry with its next attempt, attempts and last error', async () => {
    sim.setFaults({ scripted: [{ match: { itemName: 'Slow Event' }, reply: { status: 503, body: 'down for maintenance' } }] });
    await ingest([{ user_id: 'ui-user-slow', event_type: 'Slow Event', insert_id: 'slow-1' }]);
    const deadline = Date.now() + 10_000;
    let page: UiPage;
    for (;;) {
      const ui = await signIn();
      page = await ui.get(`/ui/syncs/${syncId}`);
      if (!page.html.includes('No delivery is waiting for a retry.')) break;
      assert.ok(Date.now() < deadline, 'the failed delivery waits for a retry');
      await sleep(50);
    }
    assert.match(page.html, /<caption>Deliveries a request already carried, waiting for their next attempt/);
    assert.match(page.html, /<td>Slow Event<\/td><td class="mono">user ui-user-slow<\/td><td class="num">1<\/td><td>[^<]+ UTC<span class="muted"> \(in \d+ s\)<\/span><\/td><td>503 · server_error/);
    assert.match(page.html, /<dt>Backlog<\/dt><dd>1 pending<span class="muted"> \(oldest \d+ s\)<\/span><\/dd>/);
    sim.setFaults({});
  });
});

describe('the status of a sync', () => {
  it('says Paused with the reason and since when, or Disabled', async () => {
    const projectId = await createProject(service, 'wrong key', 'UI_DELIVERY_KEY_2');
    const create = (name: string, apiKey: string, enabled: boolean) =>
      service.admin('POST', '/api/syncs', {
        name,
        project_id: projectId,
        enabled,
        customerio: { site_id: SIM_WORKSPACE.siteId, api_key: apiKey, region: 'us' },
        send_users: { enabled: false },
      });
    const paused = (await create('Wrong key', 'not-the-workspace-key', true)).body.id as number;
    const disabled = (await create('Switched off', SIM_WORKSPACE.apiKey, false)).body.id as number;
    assert.equal((await postJson(`${service.url}/batch`, { api_key: 'UI_DELIVERY_KEY_2', events: [{ user_id: 'ui-user-paused', event_type: 'Held', insert_id: 'held-1' }] })).status, 200);
    const deadline = Date.now() + 10_000;
    while ((await service.admin('GET', `/api/syncs/${paused}`)).body.status.state !== 'paused') {
      assert.ok(Date.now() < deadline, 'the sync pauses on the wrong key');
      await sleep(25);
    }
    const ui = await signIn();
    const page = await ui.get(`/ui/syncs/${paused}`);
    assert.match(page.html, /<span class="badge badge-bad">Paused<\/span> <span class="reason">[^<]+<\/span><\/span><span class="muted"> since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC<\/span>/);
    assert.match(page.html, /<dt>Backlog<\/dt><dd>1 pending<span class="muted"> \(oldest \d+ s\)<\/span><\/dd>/);
    const off = await ui.get(`/ui/syncs/${disabled}`);
    assert.match(off.html, /<span class="badge badge-off">Disabled<\/span>/);
  });
});

describe('the delivery page refuses', () => {
  it('an unknown sync with a 404 page', async () => {
    const ui = await signIn();
    for (const path of ['/ui/syncs/99999', '/ui/syncs/99999/trace?insert_id=x', '/ui/syncs/not-a-number']) {
      const page = await ui.get(path);
      assert.equal(page.status, 404, path);
      assert.match(page.html, /<title>Not found · ampstream<\/title>/);
      assert.match(page.html, /role="alert">No sync with id '(99999|not-a-number)'\.<\/div>/);
    }
    await ui.get('/ui/syncs');
    const post = await ui.post('/ui/syncs/99999/dead-letters/replay', { all: '1' });
    assert.equal(post.status, 404);
  });

  it('a form posted without the CSRF token, or with a wrong one, changing nothing', async () => {
    sim.setFaults({ scripted: [BAD] });
    await ingest([{ user_id: 'ui-user-bad-4', event_type: 'Bad Event', insert_id: 'bad-4' }]);
    const deadline = Date.now() + 10_000;
    while ((await deadLetters()).length === 0) {
      assert.ok(Date.now() < deadline, 'the refused item is dead-lettered');
      await sleep(25);
    }
    sim.setFaults({});
    const [dead] = await deadLetters();
    const ui = await signIn();
    await ui.get(`/ui/syncs/${syncId}`);
    const forms: Record<string, string>[] = [{ ids: String(dead.id) }, { _csrf: 'not-the-token', ids: String(dead.id) }];
    for (const form of forms) {
      for (const action of ['replay', 'drop']) {
        const refused = await ui.request('POST', `/ui/syncs/${syncId}/dead-letters/${action}`, { form: { ...form, confirm: 'yes' } });
        assert.equal(refused.status, 403, refused.html);
        assert.match(refused.html, /This form has expired or did not come from this site/);
      }
    }
    const anonymous = await new UiSession(service.url).request('POST', `/ui/syncs/${syncId}/dead-letters/replay`, { form: { all: '1' } });
    assert.equal(anonymous.status, 303, 'no session: to the sign-in page');
    assert.match(anonymous.headers.get('location') ?? '', /^\/ui\/sign-in/);
    assert.deepEqual((await deadLetters()).map((d) => d.id), [dead.id], 'still there, neither replayed nor dropped');
  });
});
