/**
 * The delivery engine against a misbehaving Customer.io (the simulator's faults): every valid
 * event ends up at Customer.io exactly once, in order per person, and nothing is dead-lettered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FaultSettings } from '../src/simulator/faults.js';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { assertEachPersonInOrder, eventsOnlySync, sendNumberedEvents, SIM_WORKSPACE } from './helpers/delivery-load.js';
import { ADMIN_TOKEN, postJson } from './helpers/service.js';
import { createProject, startTestService, type TestService } from './helpers/service.js';
import { receivedBatches } from './helpers/simulator-cases.js';

const PERSONS = 60;
const PER_PERSON = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the load through a fresh service against the simulator with `faults`; returns the sync's final view. */
async function deliverThrough(
  sim: CustomerIoSimulator,
  faults: FaultSettings,
  env: Record<string, string> = {},
  during?: () => Promise<void>,
  inspect?: (service: TestService, syncId: number) => Promise<void>,
) {
  sim.reset();
  sim.setFaults(faults);
  const service = await startTestService({
    env: {
      AMPSTREAM_CUSTOMERIO_URL: sim.url,
      AMPSTREAM_RETRY_BASE_MS: '50',
      AMPSTREAM_RETRY_CAP_MS: '300',
      AMPSTREAM_RETRY_MAX_ATTEMPTS: '1000',
      AMPSTREAM_CUSTOMERIO_TIMEOUT_MS: '400',
      AMPSTREAM_BATCH_MAX_ITEMS: '40',
      AMPSTREAM_BATCH_WAIT_MS: '5',
      ...env,
    },
  });
  try {
    const projectId = await createProject(service, 'faults', 'FAULT_KEY_0001');
    const sync = await service.admin('POST', '/api/syncs', eventsOnlySync(projectId));
    assert.equal(sync.status, 201, JSON.stringify(sync.body));
    const sending = sendNumberedEvents(service.url, 'FAULT_KEY_0001', PERSONS, PER_PERSON, 40);
    await during?.();
    assert.equal(await sending, PERSONS * PER_PERSON);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = (await service.admin('GET', `/api/syncs/${sync.body.id}`)).body;
      if (view.deliveries.pending === 0) {
        await inspect?.(service, sync.body.id);
        return view;
      }
      assert.ok(Date.now() < deadline, `still pending: ${JSON.stringify(view.deliveries)}`);
      await sleep(50);
    }
  } finally {
    await service.dispose();
  }
}

describe('delivery through faults', () => {
  let sim: CustomerIoSimulator;
  before(async () => {
    sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000, seed: 7 });
  });
  after(() => sim.close());

  it('10% server errors, connection resets and timeouts: each event once, in order, none dead', async () => {
    // small batches make many requests, so each kind of fault surely happens at these rates
    const view = await deliverThrough(sim, { errorRate: 0.1, errorStatuses: [500, 502, 503], resetRate: 0.1, timeoutRate: 0.1 }, { AMPSTREAM_BATCH_MAX_ITEMS: '8' });
    assert.deepEqual(view.deliveries, { pending: 0, delivered: PERSONS * PER_PERSON, dead: 0, discarded: 0 });
    assertEachPersonInOrder(sim, PERSONS, PER_PERSON);
    const statuses = new Set(receivedBatches(sim).map((b) => b.status));
    assert.ok(statuses.has(500) || statuses.has(502) || statuses.has(503), 'server errors happened');
    assert.ok(statuses.has('reset') && statuses.has('timeout'), 'resets and timeouts happened');
  });

  it('a 429 storm: waits as told, each event once, in order, none dead', async () => {
    const view = await deliverThrough(sim, { rateLimitBurst: { count: 30, retryAfterSeconds: 1 } });
    assert.deepEqual(view.deliveries, { pending: 0, delivered: PERSONS * PER_PERSON, dead: 0, discarded: 0 });
    assertEachPersonInOrder(sim, PERSONS, PER_PERSON);
    assert.ok(receivedBatches(sim).filter((b) => b.status === 429).length >= 30);
  });

  it('an outage longer than the backoff cap: items wait it out, then each event once, in order, none dead', async () => {
    const view = await deliverThrough(sim, { errorRate: 1, errorStatuses: [503] }, { AMPSTREAM_RETRY_MAX_ATTEMPTS: '40' }, async () => {
      await sleep(2000); // 2 s of outage against a 300 ms backoff cap
      sim.setFaults({});
    });
    assert.deepEqual(view.deliveries, { pending: 0, delivered: PERSONS * PER_PERSON, dead: 0, discarded: 0 });
    assertEachPersonInOrder(sim, PERSONS, PER_PERSON);
  });

  it('items Customer.io refuses in a 207 among server errors: /metrics counts each item by its own outcome, and agrees with the store and the summary', async () => {
    const BAD = PERSONS / 3; // every third person's late event
    const faults: FaultSettings = {
      errorRate: 0.1,
      errorStatuses: [503],
      scripted: [{ match: { itemName: 'Bad Event' }, rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' } }],
    };
    await deliverThrough(sim, faults, { AMPSTREAM_BATCH_MAX_ITEMS: '20' }, undefined, async (service, syncId) => {
      // a second round, each of its batches a mix of items Customer.io takes and items it refuses
      const events = [];
      for (let p = 0; p < PERSONS; p++) {
        const user_id = `person-${String(p).padStart(4, '0')}`;
        events.push({ user_id, event_type: p % 3 === 0 ? 'Bad Event' : 'Late', insert_id: `late-${p}` });
      }
      assert.equal((await postJson(`${service.url}/2/httpapi`, { api_key: 'FAULT_KEY_0001', events })).status, 200);
      const deadline = Date.now() + 30_000;
      let counts;
      for (;;) {
        counts = (await service.admin('GET', `/api/syncs/${syncId}`)).body.deliveries;
        if (counts.pending === 0) break;
        assert.ok(Date.now() < deadline, JSON.stringify(counts));
        await sleep(25);
      }
      assert.deepEqual(counts, { pending: 0, delivered: PERSONS * PER_PERSON + PERSONS - BAD, dead: BAD, discarded: 0 });
      const prometheus = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      const items = (outcome: string) => Number(new RegExp(`^ampstream_delivery_items_total\\{sync="${syncId}",outcome="${outcome}"\\} (\\S+)$`, 'm').exec(prometheus)?.[1] ?? 0);
      const summary = (await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${syncId}&time_period=ONE_HOUR`)).body;
      const planned = ((await service.admin('GET', `/api/syncs/${syncId}/metrics`)).body.points as any[]).reduce((sum, p) => sum + p.planned, 0);
      assert.ok(receivedBatches(sim).some((b) => b.status === 207), 'Customer.io answered 207');
      assert.equal(items('delivered'), counts.delivered, '/metrics delivered items = stored delivered');
      assert.equal(items('items_rejected'), BAD, '/metrics rejected items = the items Customer.io refused');
      assert.equal(summary.eventsDelivered, counts.delivered);
      assert.equal(summary.eventsNotDelivered, counts.dead);
      assert.equal(summary.successOnFirstAttempt + summary.successAfterRetry, summary.eventsDelivered);
      assert.equal(summary.eventsDelivered + summary.eventsNotDelivered + summary.eventsDiscarded + counts.pending, planned, 'delivered + not delivered + discarded + pending = planned');
      const accepted = sim.people(SIM_WORKSPACE.siteId).reduce((sum, p) => sum + p.event_count, 0);
      assert.equal(accepted, counts.delivered, 'Customer.io took every item counted delivered, once');
    });
  });

  it('expires items that fail every attempt into the dead-letter store, with the reason', async () => {
    const env = { AMPSTREAM_RETRY_MAX_ATTEMPTS: '3', AMPSTREAM_RETRY_CAP_MS: '50' };
    const view = await deliverThrough(sim, { errorRate: 1, errorStatuses: [503] }, env, undefined, async (service, syncId) => {
      const dead = (await service.admin('GET', `/api/syncs/${syncId}/deliveries?status=dead&limit=1`)).body.deliveries;
      assert.equal(dead[0].reason, 'expired');
      assert.equal(dead[0].attempts, 3);
      assert.equal(dead[0].error.status, 503);
      assert.match(dead[0].error.expired, /failed 3 attempts/);
    });
    assert.deepEqual(view.deliveries, { pending: 0, delivered: 0, dead: PERSONS * PER_PERSON, discarded: 0 });
  });
});

describe('names that objects inherit, end to end', () => {
  it('reach Customer.io as plain attributes and event data', async () => {
    const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE] });
    const service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5' } });
    try {
      const projectId = await createProject(service, 'proto', 'PROTO_KEY_0001');
      const sync = await service.admin('POST', '/api/syncs', { ...eventsOnlySync(projectId), send_users: { enabled: true, properties: '*' } });
      assert.equal(sync.status, 201);
      const raw = '{"api_key":"PROTO_KEY_0001","events":[{"user_id":"proto-person","event_type":"Proto","event_properties":{"toString":"a","__proto__":{"x":1},"constructor":2},"user_properties":{"valueOf":"v","__proto__":"p"}}]}';
      assert.equal((await postJson(`${service.url}/2/httpapi`, raw)).status, 200);
      for (;;) {
        if ((await service.admin('GET', `/api/syncs/${sync.body.id}`)).body.deliveries.pending === 0) break;
        await sleep(20);
      }
      const person = sim.person({ id: 'proto-person' }, SIM_WORKSPACE.siteId);
      assert.deepEqual(Object.entries(person?.attributes ?? {}).filter(([k]) => k === 'valueOf' || k === '__proto__'), [
        ['valueOf', 'v'],
        ['__proto__', 'p'],
      ]);
      assert.deepEqual(Object.entries(person?.events[0]?.data ?? {}), [
        ['toString', 'a'],
        ['__proto__', { x: 1 }],
        ['constructor', 2],
      ]);
    } finally {
      await service.dispose();
      await sim.close();
    }
  });
});
