/** The demo's admin calls: a project and a sync to the simulator, then waiting for the sync to drain. */
import { adminRequest, type AdminConnection } from '../src/cli/admin-client.js';
import type { DeliveryCounts } from '../src/store/delivery-types.js';

export interface DemoWorkspace {
  siteId: string;
  apiKey: string;
}

export interface DemoSetup {
  projectId: number;
  /** The project's ingestion key, for the SDK; never printed. */
  projectKey: string;
  syncId: number;
  syncName: string;
}

/** Every event is sent (devices without a user as anonymous events) and every user property. */
export function demoSync(projectId: number, workspace: DemoWorkspace): Record<string, unknown> {
  return {
    name: 'Demo: every event and user to the simulator',
    project_id: projectId,
    customerio: { site_id: workspace.siteId, api_key: workspace.apiKey, region: 'us' },
    identifier: { from: 'user_id' },
    send_events: { enabled: true, events: [{ event_type: '*' }], properties: { event: '*', user: ['plan'] }, anonymous: true },
    send_users: { enabled: true, properties: '*' },
  };
}

export async function createProjectAndSync(connection: AdminConnection, workspace: DemoWorkspace): Promise<DemoSetup> {
  const project = await adminRequest<{ id: number; api_key: string }>(connection, 'POST', '/api/projects', { name: 'Demo web app' });
  const sync = await adminRequest<{ id: number; name: string }>(connection, 'POST', '/api/syncs', demoSync(project.id, workspace));
  return { projectId: project.id, projectKey: project.api_key, syncId: sync.id, syncName: sync.name };
}

export async function deliveryCounts(connection: AdminConnection, syncId: number): Promise<DeliveryCounts> {
  return (await adminRequest<{ deliveries: DeliveryCounts }>(connection, 'GET', `/api/syncs/${syncId}`)).deliveries;
}

/** Polls the sync until nothing is pending; gives up (throws) after `timeoutMs`. */
export async function waitUntilDrained(connection: AdminConnection, syncId: number, timeoutMs: number): Promise<DeliveryCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await deliveryCounts(connection, syncId);
    if (counts.pending === 0) return counts;
    if (Date.now() > deadline) throw new Error(`the sync still had ${counts.pending} pending deliveries after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stored events of the project, read page by page from the admin API: all, and the $identify ones. */
export async function countStoredEvents(connection: AdminConnection, projectId: number): Promise<{ events: number; identifies: number }> {
  let after = 0;
  let events = 0;
  let identifies = 0;
  for (;;) {
    const page = await adminRequest<{ events: Array<{ seq: number; event_type: string }> }>(
      connection,
      'GET',
      `/api/events?project_id=${projectId}&after=${after}&limit=1000`,
    );
    for (const event of page.events) {
      events++;
      if (event.event_type === '$identify') identifies++;
      after = event.seq;
    }
    if (page.events.length < 1000) return { events, identifies };
  }
}
