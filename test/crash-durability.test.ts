import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir } from './helpers/service.js';

const env = { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN };
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function createProject(server: ServerProcess, apiKey: string): Promise<void> {
  const reply = await fetch(`${server.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'durability', api_key: apiKey }),
  });
  assert.equal(reply.status, 201);
}

/** Every insert_id stored for a project, read back page by page through the admin API. */
async function storedInsertIds(url: string, projectId: number): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const reply = await fetch(`${url}/api/events?project_id=${projectId}&after=${after}&limit=1000`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { events } = (await reply.json()) as { events: { seq: number; insert_id: string }[] };
    if (events.length === 0) return ids;
    for (const event of events) ids.add(event.insert_id);
    after = events[events.length - 1]?.seq ?? after;
  }
}

/**
 * Keeps `clients` connections each sending requests of `perRequest` events with unique insert_ids,
 * and records the insert_ids of every request answered 200, until `stop()` says so.
 */
function load(url: string, apiKey: string, clients: number, perRequest: number) {
  const acknowledged: string[] = [];
  let sent = 0;
  let running = true;
  const dispatcher = new Agent({ connections: clients, pipelining: 1 });
  const client = async (c: number) => {
    for (let n = 0; running; n++) {
      const events = Array.from({ length: perRequest }, (_, i) => ({
        user_id: `crash-user-${c}`,
        device_id: `crash-device-${c}`,
        event_type: 'Crash Test',
        insert_id: `c${c}-r${n}-e${i}`,
        user_properties: { $add: { count: 1 } },
      }));
      sent++;
      try {
        const reply = await request(`${url}/2/httpapi`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ api_key: apiKey, events }),
          dispatcher,
        });
        const body = (await reply.body.json()) as { code: number };
        if (reply.statusCode === 200 && body.code === 200) acknowledged.push(...events.map((e) => e.insert_id));
      } catch {
        return; // the server went away
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return {
    acknowledged,
    sent: () => sent,
    async stop() {
      running = false;
      await done;
      await dispatcher.close().catch(() => undefined);
    },
  };
}

async function waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('durability', () => {
  it('loses no acknowledged event when the process is killed with SIGKILL under load', async () => {
    const dataDir = tempDir('ampstream-crash-');
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir, env);
    await createProject(server, 'crash-key-0001');
    const traffic = load(server.url, 'crash-key-0001', 24, 5);
    await waitFor(() => traffic.acknowledged.length >= 3000);
    server.child.kill('SIGKILL');
    assert.equal(await server.exited, 'SIGKILL');
    await traffic.stop();
    const acknowledged = new Set(traffic.acknowledged);
    assert.ok(acknowledged.size >= 3000);
    assert.ok(traffic.sent() * 5 > acknowledged.size, 'requests were still in flight when the process died');

    const restarted = await startServerProcess(dataDir, env);
    try {
      const stored = await storedInsertIds(restarted.url, 2);
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} acknowledged events were lost`);
      // Each request is all or nothing: no stored request is missing some of its events.
      const perRequest = new Map<string, number>();
      for (const id of stored) {
        const requestKey = id.slice(0, id.lastIndexOf('-e'));
        perRequest.set(requestKey, (perRequest.get(requestKey) ?? 0) + 1);
      }
      assert.ok([...perRequest.values()].every((n) => n === 5), 'a request was stored in part');
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });

  // The timeout guards against a hang: keep-alive clients must not hold the server open until
  // its 72-second keep-alive timeout.
  it('on SIGTERM stops taking requests, commits those in flight, and exits 0', { timeout: 40_000 }, async () => {
    const dataDir = tempDir('ampstream-term-');
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir, env);
    await createProject(server, 'term-key-00001');
    const traffic = load(server.url, 'term-key-00001', 16, 3);
    await waitFor(() => traffic.acknowledged.length >= 600);
    server.child.kill('SIGTERM');
    const code = await server.exited;
    await traffic.stop();
    assert.equal(code, 0, server.stderr());
    assert.match(server.stderr(), /SIGTERM: finishing in-flight requests/);

    const restarted = await startServerProcess(dataDir, env);
    try {
      const stored = await storedInsertIds(restarted.url, 2);
      const missing = traffic.acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(missing, []);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
