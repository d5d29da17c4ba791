/**
 * The official @amplitude/analytics-node SDK driving a sync end to end: what the app sends through
 * the SDK ends up in Customer.io (the simulator) as people with typed attributes and their events.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createInstance, Identify } from '@amplitude/analytics-node';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir, adminFetch } from './helpers/service.js';

let sim: CustomerIoSimulator;
let server: ServerProcess;
const dataDir = tempDir('ampstream-sdk-sync-');

const admin = (method: string, path: string, body?: unknown) => adminFetch(server.url, method, path, body);

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE] });
  server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url });
});

after(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the SDK driving a sync end to end', () => {
  it('tracks and identifies through the SDK; Customer.io gets the person, typed attributes and events in order', async () => {
    const project = await admin('POST', '/api/projects', { name: 'sdk', api_key: 'SDK_SYNC_KEY_01' });
    const sync = await admin('POST', '/api/syncs', {
      name: 'sdk sync',
      project_id: project.id,
      customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
      send_events: { anonymous: true },
      send_users: { properties: ['plan', 'logins', 'tags', 'signed_up'] },
    });
    const test = await admin('POST', `/api/syncs/${sync.id}/test`);
    assert.deepEqual(test, { ok: true, region: 'us' });

    const amplitude = createInstance();
    await amplitude.init('SDK_SYNC_KEY_01', { serverUrl: `${server.url}/2/httpapi`, flushIntervalMillis: 20, logLevel: 0 }).promise;
    const sent = [
      amplitude.track('Pricing Viewed', { plan: 'team' }, { device_id: 'sdk-dev-0001' }).promise,
      amplitude.identify(
        new Identify().set('plan', 'pro').add('logins', 1).append('tags', 'beta').setOnce('signed_up', '2026-11-30T10:00:00Z').set('internal', 'x'),
        { user_id: 'sdk-user-0001', device_id: 'sdk-dev-0001' },
      ).promise,
      amplitude.track('Checkout', { total: 42.5, items: ['a', 'b'] }, { user_id: 'sdk-user-0001', device_id: 'sdk-dev-0001' }).promise,
      amplitude.identify(new Identify().add('logins', 2), { user_id: 'sdk-user-0001' }).promise,
    ];
    assert.ok((await Promise.all(sent)).every((r) => r.code === 200));

    for (;;) {
      const view = await admin('GET', `/api/syncs/${sync.id}`);
      if (view.deliveries.pending === 0 && view.deliveries.delivered > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const person = sim.person({ id: 'sdk-user-0001' }, SIM_WORKSPACE.siteId);
    assert.ok(person, 'the person exists in Customer.io');
    assert.deepEqual(person.attributes.plan, 'pro');
    assert.equal(person.attributes.logins, 3, 'numbers stay numbers');
    assert.deepEqual(person.attributes.tags, ['beta'], 'lists stay lists');
    assert.equal(person.attributes.signed_up, Date.UTC(2026, 10, 30, 10) / 1000, 'ISO dates become unix seconds');
    assert.equal(person.attributes.internal, undefined, 'properties the sync does not select are not sent');
    assert.equal(person.attributes.anonymous_id, undefined, 'anonymous_id merges the device, it is not an attribute');
    assert.deepEqual(person.events.map((e) => e.name), ['Pricing Viewed', 'Checkout'], 'the anonymous browsing merged on login, in order');
    assert.deepEqual(person.events[1]?.data, { total: 42.5, items: ['a', 'b'] });
  });
});
