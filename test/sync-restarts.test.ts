/**
 * A sync's delivery worker is never doubled: not when `--config` re-applies the sync at start with
 * deliveries pending, nor when the sync changes quickly while it delivers.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { eventsOnlySync, sendNumberedEvents, SIM_WORKSPACE } from './helpers/delivery-load.js';
import { startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, createProject, startTestService, tempDir, adminFetch } from './helpers/service.js';
import { receivedBatches } from './helpers/simulator-cases.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many times the simulator received each event id (accepted requests only). */
function sendsPerEvent(sim: CustomerIoSimulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const batch of receivedBatches(sim)) {
    for (const item of batch.accepted) if (item.action === 'event') counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  }
  return counts;
}

describe('one delivery worker per sync', () => {
  it('restarting with --config while deliveries are pending sends each of them once', { timeout: 60_000 }, async () => {
    const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE] });
    const dataDir = tempDir('ampstream-config-restart-');
    const configFile = join(dataDir, 'syncs.json');
    try {
      const env = { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url };
      let server = await startServerProcess(dataDir, env, ['--delivery', 'off']);
      const project = await adminFetch(server.url, 'POST', '/api/projects', { name: 'restart', api_key: 'RESTART_KEY_01' });
      writeFileSync(configFile, JSON.stringify({ syncs: [eventsOnlySync(project.id)] }));
      server.child.kill('SIGTERM');
      await server.exited;

      server = await startServerProcess(dataDir, env, ['--delivery', 'off', '--config', configFile]);
      await sendNumberedEvents(server.url, 'RESTART_KEY_01', 20, 5, 50);
      server.child.kill('SIGTERM');
      await server.exited;

      server = await startServerProcess(dataDir, env, ['--config', configFile]);
      try {
        const [sync] = (await adminFetch(server.url, 'GET', '/api/syncs')).syncs;
        for (;;) {
          const view = await adminFetch(server.url, 'GET', `/api/syncs/${sync.id}`);
          if (view.deliveries.pending === 0) {
            assert.deepEqual(view.deliveries, { pending: 0, delivered: 100, dead: 0, discarded: 0 });
            break;
          }
          await sleep(25);
        }
        await sleep(200); // a second worker would still be sending
        const counts = sendsPerEvent(sim);
        assert.equal(counts.size, 100);
        assert.deepEqual([...new Set(counts.values())], [1], 'every event sent once');
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('quick successive changes of a sync while it delivers send nothing twice', { timeout: 60_000 }, async () => {
    const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], faults: { latencyMs: 30 } });
    const service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_MAX_ITEMS: '20', AMPSTREAM_BATCH_WAIT_MS: '1' } });
    try {
      const projectId = await createProject(service, 'churn', 'CHURN_KEY_0001');
      const sync = (await service.admin('POST', '/api/syncs', eventsOnlySync(projectId))).body;
      const sending = sendNumberedEvents(service.url, 'CHURN_KEY_0001', 40, 10, 40);
      const changes = Array.from({ length: 30 }, (_, i) => service.admin('PATCH', `/api/syncs/${sync.id}`, { name: `churn ${i}` }));
      assert.ok((await Promise.all(changes)).every((reply) => reply.status === 200));
      await sending;
      for (;;) {
        if ((await service.admin('GET', `/api/syncs/${sync.id}`)).body.deliveries.pending === 0) break;
        await sleep(25);
      }
      await sleep(200);
      const counts = sendsPerEvent(sim);
      assert.equal(counts.size, 400);
      assert.deepEqual([...new Set(counts.values())], [1], 'every event sent once');
    } finally {
      await service.dispose();
      await sim.close();
    }
  });
});
