/**
 * Every event's fate is visible and recoverable: after a run with faults, the summary API, the
 * time series and the sync's counts add up (delivered + not delivered + discarded + pending =
 * planned); the trace tells each event's story; dead letters replay once, without double counting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { ADMIN_TOKEN, createProject, postForm, postJson, startTestService, type TestService } from './helpers/service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sim: CustomerIoSimulator;
let service: TestService;
let syncId: number;

async function view(): Promise<any> {
  return (await service.admin('GET', `/api/syncs/${syncId}`)).body;
}

async function drained(): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await view();
    if (current.deliveries.pending === 0) return current;
    assert.ok(Date.now() < deadline, JSON.stringify(current.deliveries));
    await sleep(25);
  }
}

/** The books balance: summary, series and the sync's counts agree, and everything planned is accounted for. */
async function assertBooksBalance(): Promise<{ summary: any; planned: number; rejectedItems: number }> {
  const counts = (await view()).deliveries;
  const summary = (await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${syncId}&time_period=ONE_HOUR`)).body;
  const series = (await service.admin('GET', `/api/syncs/${syncId}/metrics`)).body.points as any[];
  const planned = series.reduce((sum, p) => sum + p.planned, 0);
  assert.equal(summary.eventsDelivered, counts.delivered, 'delivered: summary = stored');
  assert.equal(summary.eventsNotDelivered, counts.dead, 'not delivered: summary = dead letters (dropped ones included)');
  assert.equal(summary.eventsDiscarded, counts.discarded, 'discarded: summary = stored');
  assert.equal(summary.eventsDelivered + summary.eventsNotDelivered + summary.eventsDiscarded + counts.pending, planned, 'delivered + not delivered + discarded + pending = planned');
  assert.equal(summary.successOnFirstAttempt + summary.successAfterRetry, summary.eventsDelivered);
  const prometheus = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  const gauge = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(prometheus)?.[1]);
  const statuses = ['pending', 'delivered', 'dead', 'discarded'].map((status) => gauge('ampstream_deliveries', `sync="${syncId}",status="${status}"`));
  assert.deepEqual(statuses, [counts.pending, counts.delivered, counts.dead, counts.discarded], '/metrics shows the same numbers');
  assert.equal(statuses.reduce((a, b) => a + b, 0), planned, '/metrics: they add up to everything planned');
  assert.equal(gauge('ampstream_dead_letters', `sync="${syncId}"`), (await service.admin('GET', `/api/syncs/${syncId}/dead-letters?limit=1000`)).body.dead_letters.length);
  // every item is delivered by one request: the per-request item counter agrees with the store and the summary
  const items = (outcome: string) => gauge('ampstream_delivery_items_total', `sync="${syncId}",outcome="${outcome}"`) || 0;
  assert.equal(items('delivered'), counts.delivered, '/metrics: items delivered = stored delivered');
  assert.equal(items('delivered'), summary.eventsDelivered, '/metrics: items delivered = summary delivered');
  return { summary, planned, rejectedItems: items('items_rejected') };
}

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000, seed: 3 });
  service = await startTestService({
    env: {
      AMPSTREAM_CUSTOMERIO_URL: sim.url,
      AMPSTREAM_RETRY_BASE_MS: '30',
      AMPSTREAM_RETRY_CAP_MS: '60',
      AMPSTREAM_RETRY_MAX_ATTEMPTS: '3',
      AMPSTREAM_BATCH_WAIT_MS: '5',
      AMPSTREAM_BATCH_MAX_ITEMS: '10',
    },
  });
  const projectId = await createProject(service, 'observed', 'OBSERVED_KEY_1');
  const sync = await service.admin('POST', '/api/syncs', {
    name: 'observed',
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    send_events: { events: [{ event_type: '*', where: [{ scope: 'event', property: 'internal', op: 'is not', values: [true] }] }] },
  });
  assert.equal(sync.status, 201, JSON.stringify(sync.body));
  syncId = sync.body.id;
});

after(async () => {
  await service.dispose();
  await sim.close();
});

describe('metrics, trace and dead letters after a run with faults', () => {
  it('accounts for every event, and the trace tells each one\'s story', async () => {
    sim.setFaults({
      errorRate: 0.2,
      errorStatuses: [503],
      scripted: [{ match: { itemName: 'Bad Event' }, rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' } }],
    });
    const events = [];
    for (let i = 0; i < 120; i++) events.push({ user_id: `obs-user-${i % 12}`, event_type: 'Good', insert_id: `good-${i}`, event_properties: { i } });
    events.push({ user_id: 'obs-user-bad', event_type: 'Bad Event', insert_id: 'bad-1', event_properties: { note: 'x' } });
    events.push({ device_id: 'obs-device-anon', event_type: 'Anonymous', insert_id: 'anon-1' });
    events.push({ user_id: 'obs-user-huge', event_type: 'Huge', insert_id: 'huge-1', event_properties: { blob: 'h'.repeat(40_000) } });
    events.push({ user_id: 'obs-user-0', event_type: 'Internal', insert_id: 'internal-1', event_properties: { internal: true } });
    assert.equal((await postJson(`${service.url}/batch`, { api_key: 'OBSERVED_KEY_1', events })).status, 200);
    const done = await drained();
    assert.ok(done.deliveries.dead >= 2, JSON.stringify(done.deliveries));
    const { summary, rejectedItems } = await assertBooksBalance();
    const deadLetters = (await service.admin('GET', `/api/syncs/${syncId}/dead-letters?limit=1000`)).body.dead_letters as any[];
    assert.equal(rejectedItems, deadLetters.filter((d) => d.reason === 'rejected').length, '/metrics: items rejected = dead letters Customer.io refused');
    assert.equal(summary.eventsDiscarded, 1);
    assert.ok(summary.successAfterRetry > 0, 'some deliveries needed a retry');

    const trace = async (insertId: string) => (await service.admin('GET', `/api/trace?insert_id=${insertId}`)).body.events[0].syncs[0].steps as any[];
    const bad = await trace('bad-1');
    assert.deepEqual(bad.map((s) => s.step).filter((s) => s !== 'attempt'), ['planned', 'dead_lettered']);
    const rejected = bad.find((s) => s.step === 'attempt' && s.outcome === 'rejected');
    assert.equal(rejected.status, 207);
    assert.deepEqual(bad.at(-1).error, { status: 207, reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' });
    const good = await trace('good-0');
    assert.equal(good[0].step, 'planned');
    assert.equal(good[0].item.name, 'Good');
    assert.equal(good.at(-1).step, 'delivered');
    const anon = await trace('anon-1');
    assert.deepEqual(anon.map((s) => [s.step, s.reason]), [['discarded', 'no identifier']]);
    const huge = await trace('huge-1');
    assert.deepEqual(huge.map((s) => s.step), ['planned', 'dead_lettered']);
    assert.equal(huge[1].cause, 'too_large');
    const internal = await trace('internal-1');
    assert.equal(internal[0].step, 'filtered_out');
    assert.match(internal[0].reason, /no event selection row matches/);
    const byUser = (await service.admin('GET', '/api/trace?user_id=obs-user-bad')).body.events;
    assert.equal(byUser.length, 1);
    assert.equal(byUser[0].ingested.source, 'batch');

    const errors = (await service.admin('GET', `/api/syncs/${syncId}/errors`)).body.errors as any[];
    const categories = new Set(errors.map((e) => e.category));
    assert.ok(categories.has('server_error') && categories.has('invalid_attribute') && categories.has('item_too_large'), JSON.stringify([...categories]));
    const tooLarge = errors.find((e) => e.category === 'item_too_large');
    assert.deepEqual(tooLarge.samples[0].item, { action: 'event', event_type: 'Huge', insert_id: 'huge-1' });
    const invalid = errors.find((e) => e.category === 'invalid_attribute');
    assert.equal(invalid.samples[0].item.name, 'Bad Event');
    assert.ok(!JSON.stringify(errors).includes(SIM_WORKSPACE.apiKey), 'no secret in samples');
  });

  it('replays dead letters once, with the same event ids, and the books still balance', async () => {
    sim.setFaults({});
    const before = await assertBooksBalance();
    const dead = (await service.admin('GET', `/api/syncs/${syncId}/dead-letters?limit=1000`)).body.dead_letters as any[];
    const rejected = dead.filter((d) => d.reason === 'rejected');
    assert.deepEqual(rejected.map((d) => d.item.name), ['Bad Event']);
    const expired = dead.filter((d) => d.reason === 'expired');

    const replay = await service.admin('POST', `/api/syncs/${syncId}/dead-letters/replay`, { reason: 'rejected' });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.deepEqual(replay.body.replayed, [rejected[0].id]);
    await drained();
    const all = await service.admin('POST', `/api/syncs/${syncId}/dead-letters/replay`, {});
    assert.equal(all.body.replayed.length, expired.length, 'every expired item replays');
    assert.deepEqual(all.body.skipped.map((s: any) => s.reason), ["too large for Customer.io's 32 KB item limit: it can never be sent"]);
    await drained();

    const badEvents = sim.person({ id: 'obs-user-bad' }, SIM_WORKSPACE.siteId)?.events ?? [];
    assert.deepEqual(badEvents.map((e) => [e.name, e.event_id]), [['Bad Event', rejected[0].item.id]], 'delivered once, with its original id');
    const after = await assertBooksBalance();
    assert.equal(after.planned, before.planned, 'a replay plans nothing new');
    assert.equal(after.summary.eventsNotDelivered, 1, 'only the item too large to send remains not delivered');
    for (let u = 0; u < 12; u++) {
      const numbers = (sim.person({ id: `obs-user-${u}` }, SIM_WORKSPACE.siteId)?.events ?? []).filter((e) => e.name === 'Good').map((e) => (e.data as { i: number }).i);
      assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 10 }, (_, k) => u + 12 * k), `obs-user-${u}: each Good event once`);
    }
    const again = await service.admin('POST', `/api/syncs/${syncId}/dead-letters/replay`, { reason: 'rejected' });
    assert.deepEqual(again.body, { replayed: [], skipped: [] }, 'nothing left to replay');
  });

  it('drops dead letters from the list, keeping them counted as not delivered', async () => {
    const dropped = await service.admin('POST', `/api/syncs/${syncId}/dead-letters/drop`, { reason: 'too_large' });
    assert.deepEqual(dropped.body, { dropped: 1 });
    assert.deepEqual((await service.admin('GET', `/api/syncs/${syncId}/dead-letters`)).body.dead_letters, []);
    const { summary } = await assertBooksBalance();
    assert.equal(summary.eventsNotDelivered, 1);
  });

  it('skips replaying an identify when a newer update of the person went out since; replays one with the replay time otherwise', async () => {
    sim.setFaults({ errorRate: 1, errorStatuses: [503] });
    const identify = (userId: string, plan: string) =>
      postForm(`${service.url}/identify`, { api_key: 'OBSERVED_KEY_1', identification: JSON.stringify({ user_id: userId, user_properties: { plan } }) });
    await identify('obs-id-1', 'free');
    await identify('obs-id-2', 'free');
    await drained(); // both expire
    sim.setFaults({});
    await identify('obs-id-1', 'pro'); // a newer update of obs-id-1 goes out
    await drained();
    const replayAt = Date.now();
    const replay = await service.admin('POST', `/api/syncs/${syncId}/dead-letters/replay`, { reason: 'expired' });
    assert.equal(replay.body.replayed.length, 1);
    assert.deepEqual(replay.body.skipped.map((s: any) => s.reason), ['a newer update of this person was delivered since; replaying would undo it']);
    await drained();
    assert.equal(sim.person({ id: 'obs-id-1' }, SIM_WORKSPACE.siteId)?.attributes.plan, 'pro', 'the stale update did not undo the newer one');
    assert.equal(sim.person({ id: 'obs-id-2' }, SIM_WORKSPACE.siteId)?.attributes.plan, 'free');
    const sent = sim.requests().filter((r) => r.body.includes('obs-id-2')).at(-1);
    const item = (JSON.parse(sent?.body ?? '{}') as { batch: { timestamp: number }[] }).batch[0];
    assert.ok((item?.timestamp ?? 0) >= Math.floor(replayAt / 1000), 'the replayed identify carries the replay time');
    await assertBooksBalance();
  });
});
