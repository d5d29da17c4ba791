/**
 * SIGKILL while deliveries are in flight, then a restart on the same data: every acknowledged
 * event reaches Customer.io exactly once (re-sent items carry the same id, which Customer.io drops)
 * and in order per person; the items in flight at the crash count as delivered after a retry.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { startCustomerIoSimulator } from '../src/simulator/server.js';
import { assertEachPersonInOrder, eventsOnlySync, sendNumberedEvents, SIM_WORKSPACE } from './helpers/delivery-load.js';
import { startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir, adminFetch } from './helpers/service.js';
import { receivedBatches } from './helpers/simulator-cases.js';

const PERSONS = 100;
const PER_PERSON = 20;
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('crash during delivery', () => {
  it('loses nothing and counts nothing twice at Customer.io after SIGKILL and restart', { timeout: 120_000 }, async () => {
    const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000, faults: { latencyMs: 40 } });
    const dataDir = tempDir('ampstream-delivery-crash-');
    dirs.push(dataDir);
    const env = {
      AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
      AMPSTREAM_CUSTOMERIO_URL: sim.url,
      AMPSTREAM_BATCH_MAX_ITEMS: '25',
      AMPSTREAM_DELIVERY_CONCURRENCY: '2',
    };
    try {
      let server = await startServerProcess(dataDir, env);
      const project = await adminFetch(server.url, 'POST', '/api/projects', { name: 'crash', api_key: 'CRASH_KEY_0001' });
      const sync = await adminFetch(server.url, 'POST', '/api/syncs', eventsOnlySync(project.id));
      assert.equal(await sendNumberedEvents(server.url, 'CRASH_KEY_0001', PERSONS, PER_PERSON, 100), PERSONS * PER_PERSON);

      // Kill it while it is still sending: some events are at Customer.io, some batches in flight.
      const deadline = Date.now() + 30_000;
      while (receivedBatches(sim).length < 10) {
        assert.ok(Date.now() < deadline, 'deliveries started');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      server.child.kill('SIGKILL');
      await server.exited;
      const before = sim.people(SIM_WORKSPACE.siteId).reduce((sum, p) => sum + p.event_count, 0);
      assert.ok(before > 0 && before < PERSONS * PER_PERSON, `some but not all delivered before the crash (${before})`);

      server = await startServerProcess(dataDir, env);
      try {
        for (;;) {
          const view = await adminFetch(server.url, 'GET', `/api/syncs/${sync.id}`);
          if (view.deliveries.pending === 0) {
            assert.deepEqual(view.deliveries, { pending: 0, delivered: PERSONS * PER_PERSON, dead: 0, discarded: 0 });
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assertEachPersonInOrder(sim, PERSONS, PER_PERSON);

        // the items in flight at the crash were sent again after the restart: delivered after a retry
        const requests = new Map<string, number>();
        for (const batch of receivedBatches(sim)) {
          for (const item of batch.items) {
            const id = (item as { id?: string }).id ?? '';
            requests.set(id, (requests.get(id) ?? 0) + 1);
          }
        }
        const resent = [...requests.values()].filter((n) => n > 1).length;
        assert.ok(resent > 0, 'some items in flight at the crash reached Customer.io and were sent again');
        const summary = await adminFetch(server.url, 'GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${sync.id}&time_period=ONE_HOUR`);
        assert.equal(summary.eventsDelivered, PERSONS * PER_PERSON);
        assert.equal(summary.successOnFirstAttempt + summary.successAfterRetry, PERSONS * PER_PERSON);
        assert.ok(summary.successAfterRetry >= resent, `every item sent again counts as delivered after a retry (${summary.successAfterRetry} after a retry, ${resent} sent twice)`);
        assert.ok(summary.successAfterRetry <= 2 * 25, `only items in flight at the crash (two batches of 25 at most) were retried (${summary.successAfterRetry})`);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      await sim.close();
    }
  });
});
