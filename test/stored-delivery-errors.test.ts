/**
 * Stored delivery errors are read back by every admin route that shows them (deliveries, dead
 * letters, the trace): whatever Customer.io answered, and rows stored by older versions (plain
 * text), never make a route fail.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src/service.js';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { drained } from './helpers/sync-fixture.js';
import { eventsOnlySync, SIM_WORKSPACE } from './helpers/delivery-load.js';
import { createProject, postJson, startTestService, tempDir, type TestService } from './helpers/service.js';

const API_KEY = 'STORED_ERR_KEY_01';
const BATCH_REFUSED = { status: 400, cause: 'batch_refused', message: 'another item of its batch was refused; sent again' };
const REFUSAL = { status: 400, reason: 'invalid', field: 'identifiers.id', message: 'id is not allowed' };

describe('stored delivery errors through the admin API', () => {
  let sim: CustomerIoSimulator;
  let service: TestService;
  let syncId: number;
  const dataDir = tempDir('ampstream-stored-errors-');
  const env = () => ({ AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '50' });

  before(async () => {
    sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000 });
    // Customer.io refuses the whole batch (a 400) naming only its first item: the other is sent again
    sim.setFaults({
      scripted: [
        {
          match: { path: '/api/v2/batch', itemName: 'Refused' },
          times: 1,
          reply: { status: 400, body: { errors: [{ batch_index: 0, reason: REFUSAL.reason, field: REFUSAL.field, message: REFUSAL.message }] } },
        },
      ],
    });
    service = await startTestService({ dataDir, env: env() });
    const projectId = await createProject(service, 'stored-errors', API_KEY);
    const created = await service.admin('POST', '/api/syncs', eventsOnlySync(projectId));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    syncId = created.body.id;
    const events = [
      { user_id: 'stored-err-1', event_type: 'Refused', insert_id: 'stored-err-refused' },
      { user_id: 'stored-err-2', event_type: 'Fine', insert_id: 'stored-err-fine' },
    ];
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: API_KEY, events });
    assert.equal(reply.status, 200, reply.text);
    await drained(service, syncId);
  });

  after(async () => {
    await service.dispose();
    await sim.close();
  });

  const deliveries = async () => {
    const reply = await service.admin('GET', `/api/syncs/${syncId}/deliveries`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.deliveries as { id: number; status: string; error: unknown }[];
  };

  it('a batch refused naming some items: both rows are shown, each error structured', async () => {
    const rows = await deliveries();
    assert.deepEqual(rows.map((d) => [d.status, d.error]), [
      ['dead', REFUSAL],
      ['delivered', BATCH_REFUSED],
    ]);
    const trace = await service.admin('GET', '/api/trace?insert_id=stored-err-fine');
    assert.equal(trace.status, 200, JSON.stringify(trace.body));
    const steps = trace.body.events[0].syncs[0].steps.map((s: { step: string; outcome?: string }) => s.outcome ?? s.step);
    assert.deepEqual(steps, ['planned', 'failed', 'delivered', 'delivered']);
    const dead = await service.admin('GET', `/api/syncs/${syncId}/dead-letters`);
    assert.equal(dead.status, 200);
    assert.deepEqual(dead.body.dead_letters.map((d: { error: unknown }) => d.error), [REFUSAL]);
  });

  it('rows stored by older versions (plain-text errors) read back as {message}, on every route', async () => {
    const [refused, fine] = (await deliveries()).map((d) => d.id) as [number, number];
    await service.stop();
    const db = new Database(join(dataDir, DATABASE_FILE));
    const setError = db.prepare('UPDATE deliveries SET last_error = ? WHERE id = ?');
    setError.run('sent again: another item of its batch was refused', fine);
    setError.run('refused: no JSON here', refused);
    db.close();
    service = await startTestService({ dataDir, env: env() });

    assert.deepEqual((await deliveries()).map((d) => d.error), [
      { message: 'refused: no JSON here' },
      { message: 'sent again: another item of its batch was refused' },
    ]);
    const list = await service.admin('GET', `/api/syncs/${syncId}/dead-letters`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.dead_letters[0].error, { message: 'refused: no JSON here' });
    const one = await service.admin('GET', `/api/syncs/${syncId}/dead-letters/${refused}`);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(one.body.error, { message: 'refused: no JSON here' });
    const trace = await service.admin('GET', '/api/trace?insert_id=stored-err-refused');
    assert.equal(trace.status, 200, JSON.stringify(trace.body));
    const deadStep = trace.body.events[0].syncs[0].steps.find((s: { step: string }) => s.step === 'dead_lettered');
    assert.deepEqual(deadStep.error, { message: 'refused: no JSON here' });
  });
});
