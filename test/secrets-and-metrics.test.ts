/**
 * Secrets never appear in a log line or a /metrics scrape, even at debug level and through errors;
 * /metrics shows ingest, commit and delivery figures.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startCustomerIoSimulator } from '../src/simulator/server.js';
import { startServerProcess } from './helpers/process.js';
import { postForm, postJson, request, tempDir } from './helpers/service.js';

const ADMIN = 'admin-token-SECRET-7d1f0c2a9b';
const PROJECT_KEY = 'project-key-SECRET-0f9e8d7c';
const CIO_KEY = 'cio-key-SECRET-5a6b7c8d';
const WRONG_CIO_KEY = 'wrong-cio-key-SECRET-1234';

describe('secrets and /metrics', () => {
  it('keeps every secret out of the logs and /metrics, and /metrics counts what happened', { timeout: 60_000 }, async () => {
    const sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [{ siteId: 'sec-site', apiKey: CIO_KEY, region: 'us' }] });
    const dataDir = tempDir('ampstream-secrets-');
    const server = await startServerProcess(dataDir, {
      AMPSTREAM_ADMIN_TOKEN: ADMIN,
      AMPSTREAM_CUSTOMERIO_URL: sim.url,
      AMPSTREAM_LOG_LEVEL: 'trace',
      AMPSTREAM_PAUSE_PROBE_MS: '100',
    });
    const admin = async (method: string, path: string, body?: unknown) =>
      request(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    let scrape = '';
    try {
      const project = (await admin('POST', '/api/projects', { name: 'secret', api_key: PROJECT_KEY })).body;
      const cio = (key: string) => ({ site_id: 'sec-site', api_key: key, region: 'us' });
      const good = (await admin('POST', '/api/syncs', { name: 'good', project_id: project.id, customerio: cio(CIO_KEY) })).body;
      const wrong = (await admin('POST', '/api/syncs', { name: 'wrong', project_id: project.id, customerio: cio(WRONG_CIO_KEY) })).body;
      assert.ok(!JSON.stringify(good).includes(CIO_KEY), 'the API never returns the Customer.io key');

      // everything that touches a secret: ingest in bodies and query strings, bad keys, bad tokens
      assert.equal((await postJson(`${server.url}/2/httpapi`, { api_key: PROJECT_KEY, events: [{ user_id: 'secret-user-1', event_type: 'x' }] })).status, 200);
      await postJson(`${server.url}/2/httpapi`, { api_key: PROJECT_KEY, events: [{ user_id: 'abc', event_type: 'x' }] });
      await postJson(`${server.url}/2/httpapi`, `{"api_key":"${PROJECT_KEY}","events":[`);
      await postForm(`${server.url}/identify`, { api_key: PROJECT_KEY, identification: '{"user_id":"secret-user-1","user_properties":{"plan":"pro"}}' });
      await request(`${server.url}/identify?api_key=${PROJECT_KEY}&identification=${encodeURIComponent('{"user_id":"secret-user-2"}')}`);
      await request(`${server.url}/identify?api_key=${PROJECT_KEY}&identification=not-json`);
      // multipart: @fastify/multipart logs busboy's options (headers included) at trace level
      const form = new FormData();
      form.append('api_key', PROJECT_KEY);
      form.append('identification', '{"user_id":"secret-user-3"}');
      await request(`${server.url}/identify`, { method: 'POST', body: form, headers: { authorization: `Bearer ${ADMIN}`, cookie: `session=${ADMIN}` } });
      await request(`${server.url}/api/projects`, { headers: { authorization: `Bearer ${ADMIN}x` } });
      await admin('POST', '/api/syncs', { name: 'bad', project_id: project.id, customerio: { site_id: 'x', api_key: CIO_KEY, region: 'mars' } });
      await admin('PATCH', `/api/syncs/${good.id}`, { customerio: { site_id: 'sec-site', api_key: CIO_KEY, region: 'us' } });
      await admin('POST', `/api/syncs/${wrong.id}/test`);
      await admin('GET', '/api/trace?user_id=secret-user-1');

      for (;;) {
        const wrongView = (await admin('GET', `/api/syncs/${wrong.id}`)).body;
        const goodView = (await admin('GET', `/api/syncs/${good.id}`)).body;
        if (wrongView.status.state === 'paused' && goodView.deliveries.pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal((await request(`${server.url}/metrics`)).status, 401, '/metrics needs the admin token');
      scrape = (await request(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text;
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    }

    const output = `${server.stdout()}\n${server.stderr()}`;
    assert.ok(output.includes('"level":10') || output.includes('"level":20'), 'debug-level lines were written');
    assert.ok(output.includes('Providing options to busboy'), 'the multipart trace line was written (with its headers hidden)');
    assert.ok(output.includes('Customer.io did not take a batch'), 'the rejected credentials were logged');
    for (const secret of [ADMIN, PROJECT_KEY, CIO_KEY, WRONG_CIO_KEY]) {
      assert.ok(!output.includes(secret), `a log line holds a secret (${secret.slice(0, 12)}…)`);
      assert.ok(!scrape.includes(secret), `/metrics holds a secret (${secret.slice(0, 12)}…)`);
    }
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(scrape)?.[1] ?? Number.NaN);
    assert.ok(value('ampstream_ingest_requests_total\\{endpoint="httpapi",code="200"\\}') >= 1);
    assert.ok(value('ampstream_ingest_requests_total\\{endpoint="httpapi",code="400"\\}') >= 2);
    assert.ok(value('ampstream_ingest_requests_total\\{endpoint="identify",code="200"\\}') >= 2);
    assert.ok(value('ampstream_ingest_events_total\\{endpoint="httpapi",outcome="accepted"\\}') >= 1);
    assert.ok(value('ampstream_commit_batch_events_count') >= 3);
    assert.ok(value('ampstream_delivery_items_total\\{sync="1",outcome="delivered"\\}') >= 1);
    assert.ok(value('ampstream_delivery_items_total\\{sync="2",outcome="configuration"\\}') >= 1);
    assert.ok(value('ampstream_customerio_request_duration_seconds_count\\{outcome="delivered"\\}') >= 1);
    assert.equal(value('ampstream_rate_limiter_requests_per_second\\{workspace="us\\|sec-site"\\}'), 100);
    assert.equal(value('ampstream_delivery_oldest_pending_seconds\\{sync="1"\\}'), 0);
    assert.ok(value('ampstream_delivery_oldest_pending_seconds\\{sync="2"\\}') > 0, 'the paused sync\'s events wait');
  });
});
