import assert from 'node:assert/strict';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../../src/simulator/server.js';
import type { ScriptedRule } from '../../src/simulator/faults.js';
import { SIM_WORKSPACE } from './delivery-load.js';
import { createProject, startTestService, type TestService } from './service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 207 for every item named "Bad Event": Customer.io refuses it for good (a dead letter). */
export const REFUSE_BAD_EVENT: ScriptedRule = {
  match: { itemName: 'Bad Event' },
  rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' },
};

/** ampstream delivering to the simulator: a project with a known API key and one events-only sync. */
export interface SyncFixture {
  sim: CustomerIoSimulator;
  service: TestService;
  syncId: number;
  dispose(): Promise<void>;
}

export async function startSyncFixture(options: { apiKey: string; syncName: string; env?: Record<string, string> }): Promise<SyncFixture> {
  const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE], rateLimitPerSecond: 1000 });
  const service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5', ...options.env } });
  const projectId = await createProject(service, 'shop', options.apiKey);
  const sync = await service.admin('POST', '/api/syncs', {
    name: options.syncName,
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    send_users: { enabled: false },
  });
  assert.equal(sync.status, 201, JSON.stringify(sync.body));
  return {
    sim,
    service,
    syncId: sync.body.id as number,
    async dispose() {
      await service.dispose();
      await sim.close();
    },
  };
}

/** Waits until the sync has nothing pending. */
export async function drained(service: TestService, syncId: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await service.admin('GET', `/api/syncs/${syncId}`)).body.deliveries.pending > 0) {
    assert.ok(Date.now() < deadline, 'deliveries drain');
    await sleep(25);
  }
}
