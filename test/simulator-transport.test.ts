import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, US, useSimulator } from './simulator-client.js';

describe('simulator transport and routing', () => {
  const sim = useSimulator();

  it('answers success exactly as Customer.io does: 200, JSON content type, body {} and a newline', async () => {
    const reply = await call(sim().url, 'PUT', '/api/v1/customers/user-1', { plan: 'pro' });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '{}\n');
    assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  it('serves v1, v2 and /auth on the root and on both region hosts', async () => {
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200);
    assert.equal((await call(sim().usUrl, 'POST', '/api/v2/batch', { batch: [] })).status, 200);
    assert.equal((await call(sim().euUrl, 'GET', '/api/v1/accounts/region')).status, 200);
  });

  it('keeps an encoded slash inside the identifier, and finds no route for a raw one', async () => {
    assert.equal((await call(sim().url, 'PUT', `/api/v1/customers/${encodeURIComponent('org/42/user 7+x')}`, { a: 1 })).status, 200);
    assert.equal(sim().person({ id: 'org/42/user 7+x' })?.attributes.a, 1);
    const raw = await call(sim().url, 'PUT', '/api/v1/customers/org/42', { a: 1 });
    assert.equal(raw.status, 404);
    assert.deepEqual(raw.json, { meta: { error: 'not found' } });
  });

  it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    assert.equal((await call(sim().url, 'GET', '/api/v3/nothing')).status, 404);
    const wrong = await call(sim().url, 'GET', '/api/v2/batch');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  it('answers bodies that are not JSON in each version\'s error shape', async () => {
    const v1 = await call(sim().url, 'PUT', '/api/v1/customers/u1', '{not json', { raw: true });
    assert.equal(v1.status, 400);
    assert.deepEqual(v1.json, { meta: { errors: ['request body is not valid JSON'] } });
    const v1Array = await call(sim().url, 'PUT', '/api/v1/customers/u1', [1, 2]);
    assert.deepEqual(v1Array.json, { meta: { errors: ['request body must be a JSON object'] } });
    const v2 = await call(sim().url, 'POST', '/api/v2/batch', 'nope', { raw: true });
    assert.equal(v2.status, 400);
    assert.deepEqual(v2.json, { errors: [{ reason: 'parse_error', field: '', message: 'request body is not valid JSON' }] });
  });

  it('never crashes on odd input: every reply is a Customer.io-shaped JSON error or success', async () => {
    const odd: Array<[string, string, string]> = [
      ['POST', '/api/v2/batch', '{"batch":[null,1,"x",[],{"type":"person"},{"type":"person","action":"event","identifiers":{"id":{}}}]}'],
      ['POST', '/api/v2/batch', '{"batch":{"0":1}}'],
      ['POST', '/api/v2/entity', 'null'],
      ['POST', '/api/v1/customers/u1/events', '{"name":{"x":1},"data":[1],"timestamp":"soon"}'],
      ['POST', '/api/v1/events', '{"name":"x","anonymous_id":42}'],
      ['PUT', '/api/v1/customers/%E0%A4%A', '{}'],
      ['PUT', '/api/v1/customers/u1', '{"__proto__":{"admin":true},"constructor":{"prototype":1}}'],
    ];
    for (const [method, path, body] of odd) {
      const reply = await call(sim().url, method, path, body, { raw: true });
      assert.ok([200, 207, 400, 404].includes(reply.status), `${method} ${path} -> ${reply.status}`);
      assert.ok(reply.json !== undefined, `${path} answers JSON`);
    }
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.equal(sim().person({ id: 'u1' })?.attributes.__proto__ !== undefined, true);
  });

  it('logs every request with its body, reply and X-Retry-Count, and never the credentials', async () => {
    await call(sim().url, 'POST', '/api/v2/batch', { batch: [] }, { headers: { 'x-retry-count': '2' } });
    const [logged] = sim().requests();
    assert.equal(logged?.method, 'POST');
    assert.equal(logged?.url, '/api/v2/batch');
    assert.equal(logged?.site_id, US.siteId);
    assert.equal(logged?.retry_count, 2);
    assert.equal(logged?.body, '{"batch":[]}');
    assert.deepEqual(logged?.reply && 'status' in logged.reply ? [logged.reply.status, logged.reply.body] : null, [200, '{}\n']);
    assert.equal(logged?.headers.authorization, '[redacted]');
    assert.ok(!JSON.stringify(sim().requests()).includes(US.apiKey));
    assert.ok(!JSON.stringify(sim().requests()).includes(Buffer.from(`${US.siteId}:${US.apiKey}`).toString('base64')));
  });

  it('answers an over-large v1 body with 413', async () => {
    const reply = await call(sim().url, 'PUT', '/api/v1/customers/u1', { big: 'x'.repeat(1_000_001) });
    assert.equal(reply.status, 413);
    assert.deepEqual(reply.json, { meta: { error: 'request body too large' } });
  });
});

describe('simulator inspection API', () => {
  const sim = useSimulator({}, { resetEach: false });

  it('shows people, events, requests and counters over HTTP, and resets', async () => {
    await call(sim().url, 'POST', '/api/v1/customers/user-1/events', { name: 'Signup', data: { plan: 'pro' } });
    const people = (await call(sim().url, 'GET', `/_sim/people?site_id=${US.siteId}`, undefined, { auth: null })).json as {
      people: Array<{ cio_id: string; id: string; event_count: number }>;
    };
    assert.equal(people.people.length, 1);
    assert.equal(people.people[0]?.id, 'user-1');
    assert.equal(people.people[0]?.event_count, 1);
    const person = (await call(sim().url, 'GET', `/_sim/people/${people.people[0]?.cio_id}`, undefined, { auth: null })).json as {
      events: Array<{ name: string; data: unknown }>;
    };
    assert.deepEqual(person.events.map((e) => [e.name, e.data]), [['Signup', { plan: 'pro' }]]);
    const requests = (await call(sim().url, 'GET', '/_sim/requests', undefined, { auth: null })).json as { requests: unknown[] };
    assert.equal(requests.requests.length, 1);
    const counters = (await call(sim().url, 'GET', '/_sim/counters', undefined, { auth: null })).json as { requests: number; by_status: Record<string, number> };
    assert.equal(counters.requests, 1);
    assert.deepEqual(counters.by_status, { 200: 1 });
    const workspaces = (await call(sim().url, 'GET', '/_sim/workspaces', undefined, { auth: null })).json as { workspaces: Array<{ api_key_hint: string }> };
    assert.ok(!JSON.stringify(workspaces).includes(US.apiKey));

    assert.equal((await call(sim().url, 'POST', '/_sim/reset', undefined, { auth: null })).status, 200);
    assert.deepEqual(sim().people(), []);
    assert.deepEqual(sim().requests(), []);
    assert.equal(sim().counters().requests, 0);
  });

  it('answers unknown workspaces, people and routes with 404 and a message', async () => {
    const unknown = await call(sim().url, 'GET', '/_sim/people?site_id=nope', undefined, { auth: null });
    assert.equal(unknown.status, 404);
    assert.equal((unknown.json as { error: string }).error, 'unknown_workspace');
    assert.equal((await call(sim().url, 'GET', '/_sim/people/ffff', undefined, { auth: null })).status, 404);
    assert.equal((await call(sim().url, 'GET', '/_sim/nothing', undefined, { auth: null })).status, 404);
  });
});
