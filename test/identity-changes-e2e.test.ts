/**
 * A person's identity over time, end to end through the simulator: anonymous activity merged when a
 * server-side identify (no device_id) first gives the person their identifier, and the identifier
 * property removed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInstance, Identify } from '@amplitude/analytics-node';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { createProject, postJson, startTestService, type TestService } from './helpers/service.js';

let sim: CustomerIoSimulator;
let service: TestService;

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE] });
  service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url } });
});

after(async () => {
  await service.dispose();
  await sim.close();
});

async function newSync(name: string, apiKey: string, settings: Record<string, unknown>): Promise<{ projectId: number; syncId: number }> {
  const projectId = await createProject(service, name, apiKey);
  const reply = await service.admin('POST', '/api/syncs', {
    name,
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    ...settings,
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return { projectId, syncId: reply.body.id as number };
}

/** Sends one event alone to /2/httpapi and waits until the sync has nothing pending. */
async function sendAlone(syncId: number, apiKey: string, event: Record<string, unknown>): Promise<void> {
  const reply = await postJson(`${service.url}/2/httpapi`, { api_key: apiKey, events: [event] });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  await waitIdle(syncId);
}

/** Waits until the sync has nothing pending. */
async function waitIdle(syncId: number): Promise<void> {
  for (;;) {
    const view = await service.admin('GET', `/api/syncs/${syncId}`);
    if (view.body.deliveries.pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('identity changes end to end', () => {
  it('merges a linked device\'s anonymous events when an identify without device_id first gives the user an email', async () => {
    const apiKey = 'ANON_MERGE_KEY_0001';
    const { syncId } = await newSync('anon merge', apiKey, {
      identifier: { from: 'user_property', name: 'email' },
      send_events: { anonymous: true },
    });
    await sendAlone(syncId, apiKey, { device_id: 'dev-anon-B', event_type: 'Page Viewed', insert_id: 'b1' });
    await sendAlone(syncId, apiKey, { device_id: 'dev-anon-B', user_id: 'userB-001', event_type: 'Page Viewed', insert_id: 'b2' });
    await sendAlone(syncId, apiKey, { user_id: 'userB-001', event_type: '$identify', user_properties: { $set: { email: 'userb@ex.test' } }, insert_id: 'b3' });
    await sendAlone(syncId, apiKey, { user_id: 'userB-001', event_type: 'Page Viewed', insert_id: 'b4' });

    const person = sim.person({ email: 'userb@ex.test' }, SIM_WORKSPACE.siteId);
    assert.ok(person, 'the person exists');
    assert.deepEqual(person.anonymous_ids, ['dev-anon-B']);
    assert.equal(person.events.length, 3, 'both anonymous page views merged, then the identified one');
    assert.equal(sim.anonymousEvents(SIM_WORKSPACE.siteId)['dev-anon-B'], undefined, 'no anonymous event of the device is left over');
    const view = await service.admin('GET', `/api/syncs/${syncId}`);
    assert.equal(view.body.deliveries.dead, 0);
  });
});

describe('the identifier property removed', () => {
  it('clears the selected attributes of the person addressed by the previous value ($clearAll through the Node SDK)', async () => {
    const apiKey = 'CLEAR_ALL_KEY_0001';
    const { syncId } = await newSync('clear all', apiKey, { identifier: { from: 'user_property', name: 'email' } });
    const amplitude = createInstance();
    await amplitude.init(apiKey, { serverUrl: `${service.url}/2/httpapi`, flushIntervalMillis: 20, logLevel: 0 }).promise;
    const first = await amplitude.identify(new Identify().set('email', 'carol@example.com').set('plan', 'team'), { user_id: 'carol-003' }).promise;
    assert.equal(first.code, 200);
    await waitIdle(syncId);
    assert.equal(sim.person({ email: 'carol@example.com' }, SIM_WORKSPACE.siteId)?.attributes.plan, 'team');
    const second = await amplitude.identify(new Identify().clearAll(), { user_id: 'carol-003' }).promise;
    assert.equal(second.code, 200);
    await waitIdle(syncId);

    const person = sim.person({ email: 'carol@example.com' }, SIM_WORKSPACE.siteId);
    assert.ok(person);
    assert.equal(person.attributes.plan, undefined, 'the stale attribute is removed');
    const trace = await service.admin('GET', '/api/trace?user_id=carol-003');
    const steps = trace.body.events.map((e: { syncs: { steps: { step: string }[] }[] }) => e.syncs[0]?.steps.map((s) => s.step));
    assert.deepEqual(steps.at(-1), ['planned', 'attempt', 'delivered'], JSON.stringify(trace.body.events.at(-1)));
  });
});
