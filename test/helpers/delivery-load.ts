import assert from 'node:assert/strict';
import type { CustomerIoSimulator } from '../../src/simulator/server.js';
import { postJson } from './service.js';

export const SIM_WORKSPACE = { siteId: 'fault-site', apiKey: 'fault-key-0001', region: 'us' as const };

/** A sync that sends every event by user_id and nothing else. */
export function eventsOnlySync(projectId: number) {
  return {
    name: 'faults',
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    send_users: { enabled: false },
  };
}

/**
 * Sends `persons` × `perPerson` events, each person's events numbered 0… in order, spread over
 * requests that mix persons (`perRequest` events each). Returns how many events were acknowledged.
 */
export async function sendNumberedEvents(
  url: string,
  apiKey: string,
  persons: number,
  perPerson: number,
  perRequest = 50,
  prefix = 'person',
): Promise<number> {
  const all: Record<string, unknown>[] = [];
  for (let n = 0; n < perPerson; n++) {
    for (let p = 0; p < persons; p++) {
      all.push({
        user_id: `${prefix}-${String(p).padStart(4, '0')}`,
        event_type: 'Step',
        insert_id: `${prefix}-${p}-${n}`,
        time: Date.UTC(2026, 11, 1) + n,
        event_properties: { n },
      });
    }
  }
  let acknowledged = 0;
  for (let i = 0; i < all.length; i += perRequest) {
    const events = all.slice(i, i + perRequest);
    const reply = await postJson(`${url}/2/httpapi`, { api_key: apiKey, events });
    assert.equal(reply.status, 200, reply.text);
    acknowledged += events.length;
  }
  return acknowledged;
}

/**
 * Checks that Customer.io (the simulator) holds every person's events exactly once and in order:
 * `Step` events numbered 0 … perPerson-1.
 */
export function assertEachPersonInOrder(sim: CustomerIoSimulator, persons: number, perPerson: number, prefix = 'person'): void {
  const expected = Array.from({ length: perPerson }, (_, n) => n);
  for (let p = 0; p < persons; p++) {
    const id = `${prefix}-${String(p).padStart(4, '0')}`;
    const numbers = (sim.person({ id }, SIM_WORKSPACE.siteId)?.events ?? []).map((e) => (e.data as { n?: unknown } | undefined)?.n);
    assert.deepEqual(numbers, expected, `${id}: every event once, in order`);
  }
}
