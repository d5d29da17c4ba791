import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, EU, US, useSimulator } from './simulator-client.js';

describe('simulator authentication', () => {
  const sim = useSimulator();

  it('answers 401 with Customer.io\'s body for missing, malformed and unknown credentials', async () => {
    const cases: Array<Record<string, string> | null> = [
      null,
      { authorization: 'Bearer abc' },
      { authorization: 'Basic !!!' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
    ];
    for (const headers of cases) {
      const reply = await call(sim().url, 'PUT', '/api/v1/customers/u1', {}, { auth: null, headers: headers ?? {} });
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.json, { meta: { error: 'Unauthorized request' } });
    }
    const wrongKey = await call(sim().url, 'POST', '/api/v2/batch', { batch: [] }, { auth: { siteId: US.siteId, apiKey: 'wrong' } });
    assert.equal(wrongKey.status, 401);
    assert.deepEqual(sim().people(), []);
  });

  it('checks credentials on GET /auth', async () => {
    assert.deepEqual((await call(sim().url, 'GET', '/auth')).json, {});
    assert.equal((await call(sim().url, 'GET', '/auth', undefined, { auth: { siteId: 'x', apiKey: 'y' } })).status, 401);
  });

  it('accepts URL-safe base64 credentials too', async () => {
    const urlSafe = Buffer.from(`${US.siteId}:${US.apiKey}`).toString('base64url');
    assert.equal((await call(sim().url, 'GET', '/auth', undefined, { auth: null, headers: { authorization: `Basic ${urlSafe}` } })).status, 200);
  });
});

describe('simulator regions', () => {
  const sim = useSimulator({}, { resetEach: false });

  it('answers the region lookup on either host with the workspace\'s region, URL and environment id', async () => {
    for (const base of [sim().url, sim().usUrl, sim().euUrl]) {
      assert.deepEqual((await call(base, 'GET', '/api/v1/accounts/region', undefined, { auth: EU })).json, {
        url: sim().euUrl,
        region: 'eu',
        environment_id: 2,
      });
      assert.deepEqual((await call(base, 'GET', '/api/v1/accounts/region')).json, { url: sim().usUrl, region: 'us', environment_id: 1 });
    }
    assert.equal((await call(sim().url, 'GET', '/api/v1/accounts/region', undefined, { auth: { siteId: 'a', apiKey: 'b' } })).status, 401);
  });

  it('redirects EU credentials on the US host to the same path on the EU host with 307', async () => {
    const reply = await call(sim().usUrl, 'POST', '/api/v2/batch?x=1', { batch: [] }, { auth: EU });
    assert.equal(reply.status, 307);
    assert.equal(reply.headers.get('location'), `${sim().euUrl}/api/v2/batch?x=1`);
  });

  it('refuses US credentials on the EU host with 401', async () => {
    const reply = await call(sim().euUrl, 'PUT', '/api/v1/customers/u1', {}, { auth: US });
    assert.equal(reply.status, 401);
    assert.deepEqual(sim().people(US.siteId), []);
  });

  it('lets the root URL stand in for both regions', async () => {
    assert.equal((await call(sim().url, 'PUT', '/api/v1/customers/u1', {}, { auth: EU })).status, 200);
    assert.equal((await call(sim().url, 'PUT', '/api/v1/customers/u1', {}, { auth: US })).status, 200);
    assert.equal(sim().people(EU.siteId).length, 1);
    assert.equal(sim().people(US.siteId).length, 1);
  });
});
