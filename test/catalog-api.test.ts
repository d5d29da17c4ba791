import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATALOG_LIMITS } from '../src/store/catalog-cache.js';
import { createProject, postForm, postJson, request, startTestService, tempDir, type TestService } from './helpers/service.js';

let service: TestService;

before(async () => {
  service = await startTestService();
});
after(() => service.dispose());

async function catalog(projectId: number, on: TestService = service) {
  const reply = await on.admin('GET', `/api/projects/${projectId}/catalog`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

describe('GET /api/projects/:project_id/catalog', () => {
  it('lists what HTTP V2, batch and Identify API requests carried, each list sorted', async () => {
    const apiKey = 'catalog-key-names-0001';
    const projectId = await createProject(service, 'catalog names', apiKey);
    assert.deepEqual(await catalog(projectId), { event_types: [], event_properties: [], user_properties: [] });

    const v2 = await postJson(`${service.url}/2/httpapi`, {
      api_key: apiKey,
      events: [
        {
          user_id: 'catalog-user-1',
          event_type: 'Page Viewed',
          event_properties: { path: '/', referrer: 'https://example.com' },
          user_properties: { $set: { plan: 'free' }, $setOnce: { signup_source: 'ad' } },
        },
        { user_id: 'catalog-user-1', event_type: '$identify', user_properties: { $add: { logins: 1 } } },
        { user_id: 'catalog-user-1', event_type: '$groupidentify', user_properties: { $set: { company_size: 10 } } },
      ],
    });
    assert.equal(v2.status, 200, v2.text);
    const batch = await postJson(`${service.url}/batch`, {
      api_key: apiKey,
      events: [{ device_id: 'catalog-device-1', event_type: 'Purchase', event_properties: { price: 9.99 }, user_properties: { $unset: { trial: '-' } } }],
    });
    assert.equal(batch.status, 200, batch.text);
    const identify = await postForm(`${service.url}/identify`, {
      api_key: apiKey,
      identification: JSON.stringify({ user_id: 'catalog-user-1', user_properties: { email: 'a@example.com', $append: { tags: 'new' } } }),
    });
    assert.equal(identify.status, 200, identify.text);

    assert.deepEqual(await catalog(projectId), {
      event_types: ['Page Viewed', 'Purchase'],
      event_properties: ['path', 'price', 'referrer'],
      user_properties: ['email', 'logins', 'plan', 'signup_source', 'tags', 'trial'],
    });
  });

  it('adds nothing for a request refused with a 400', async () => {
    const apiKey = 'catalog-key-refused-0001';
    const projectId = await createProject(service, 'catalog refused', apiKey);
    const refused = await postJson(`${service.url}/2/httpapi`, {
      api_key: apiKey,
      events: [
        { user_id: 'catalog-user-2', event_type: 'Valid but refused', event_properties: { a: 1 }, user_properties: { b: 1 } },
        { user_id: 'catalog-user-2', event_properties: { no_event_type: 1 } },
      ],
    });
    assert.equal(refused.status, 400);
    const badIdentify = await postForm(`${service.url}/identify`, { api_key: apiKey, identification: JSON.stringify({ user_properties: { c: 1 } }) });
    assert.equal(badIdentify.status, 400);
    assert.deepEqual(await catalog(projectId), { event_types: [], event_properties: [], user_properties: [] });
  });

  it(`keeps at most ${CATALOG_LIMITS.maxNames} names of a kind, none over ${CATALOG_LIMITS.maxNameLength} characters`, async () => {
    const apiKey = 'catalog-key-capped-0001';
    const projectId = await createProject(service, 'catalog capped', apiKey);
    const properties: Record<string, number> = { ['k'.repeat(CATALOG_LIMITS.maxNameLength + 1)]: 1 };
    for (let i = 0; i < CATALOG_LIMITS.maxNames + 500; i++) properties[`prop_${String(i).padStart(5, '0')}`] = i;
    const sent = await postJson(`${service.url}/batch`, {
      api_key: apiKey,
      events: [
        { user_id: 'catalog-user-3', event_type: 'Wide', event_properties: properties, user_properties: properties },
        { user_id: 'catalog-user-3', event_type: 'Later', event_properties: { later: 1 } },
      ],
    });
    assert.equal(sent.status, 200, sent.text);
    const names = await catalog(projectId);
    assert.deepEqual(names.event_types, ['Later', 'Wide']);
    for (const list of [names.event_properties, names.user_properties]) {
      assert.equal(list.length, CATALOG_LIMITS.maxNames);
      assert.equal(list.at(-1), `prop_${String(CATALOG_LIMITS.maxNames - 1).padStart(5, '0')}`);
    }
    assert.ok(!names.event_properties.includes('later'), 'over the cap, new names are not recorded');
  });

  it('answers 404 for an unknown project, and 401 without the admin token', async () => {
    const missing = await service.admin('GET', '/api/projects/999999/catalog');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'not_found', message: 'project 999999 does not exist', field: 'project_id' });
    const anonymous = await request(`${service.url}/api/projects/1/catalog`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'unauthorized');
  });

  it('keeps the catalog across a restart', async () => {
    const dataDir = tempDir('ampstream-catalog-');
    let first: TestService | undefined = await startTestService({ dataDir });
    let second: TestService | undefined;
    try {
      const sent = await postJson(`${first.url}/2/httpapi`, {
        api_key: first.apiKey,
        events: [{ user_id: 'catalog-user-4', event_type: 'Before restart', event_properties: { kept: true }, user_properties: { plan: 'pro' } }],
      });
      assert.equal(sent.status, 200, sent.text);
      const before = await catalog(1, first);
      await first.stop();
      first = undefined;
      second = await startTestService({ dataDir });
      assert.deepEqual(await catalog(1, second), before);
      assert.deepEqual(before, { event_types: ['Before restart'], event_properties: ['kept'], user_properties: ['plan'] });
    } finally {
      await first?.stop();
      await second?.dispose();
    }
  });
});
