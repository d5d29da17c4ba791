import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, postJson, request, startTestService, type TestService } from './helpers/service.js';

let service: TestService;

before(async () => {
  service = await startTestService();
});
after(() => service.dispose());

describe('admin API', () => {
  it('needs the admin token on every /api/ route', async () => {
    for (const [method, path] of [
      ['GET', '/api/projects'],
      ['POST', '/api/projects'],
      ['GET', '/api/events'],
      ['GET', '/api/projects/1/profiles?user_id=x'],
      ['GET', '/api/does-not-exist'],
    ] as const) {
      const none = await request(`${service.url}${path}`, { method });
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.equal(none.body.error, 'unauthorized');
      const wrong = await request(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
      assert.equal(wrong.status, 401);
      const basic = await request(`${service.url}${path}`, { method, headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
      assert.equal(basic.status, 401);
    }
  });

  it('created a first project on first start', async () => {
    const reply = await service.admin('GET', '/api/projects');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.projects[0].name, 'Default project');
    assert.equal(reply.body.projects[0].api_key_hint, `…${service.apiKey.slice(-4)}`);
  });

  it('creates a project with a generated key, shown only in the creation reply', async () => {
    const created = await service.admin('POST', '/api/projects', { name: 'Web app' });
    assert.equal(created.status, 201);
    assert.match(created.body.api_key, /^[0-9a-f]{32}$/);
    const list = await service.admin('GET', '/api/projects');
    const listed = list.body.projects.find((p: { id: number }) => p.id === created.body.id);
    assert.equal(listed.name, 'Web app');
    assert.equal(listed.api_key, undefined);
    assert.ok(!JSON.stringify(list.body).includes(created.body.api_key), 'the key never appears after creation');
    const ingest = await postJson(`${service.url}/2/httpapi`, { api_key: created.body.api_key, events: [{ user_id: 'admin-user-1', event_type: 'x' }] });
    assert.equal(ingest.status, 200, 'the new key works for ingestion at once');
    const events = await service.admin('GET', `/api/events?project_id=${created.body.id}`);
    assert.equal(events.body.events.length, 1);
  });

  it('creates a project with a given key and refuses a key already in use', async () => {
    const created = await service.admin('POST', '/api/projects', { name: 'Mobile', api_key: 'mobile-key-0001' });
    assert.equal(created.status, 201);
    assert.equal(created.body.api_key, 'mobile-key-0001');
    const again = await service.admin('POST', '/api/projects', { name: 'Other', api_key: 'mobile-key-0001' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'conflict');
    assert.equal(again.body.field, 'api_key');
  });

  it('answers bad project bodies with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'x', api_key: 'short' }, 'api_key'],
      [{ name: 'x', api_key: 'has space in it' }, 'api_key'],
      [{ name: 'x', apiKey: 'typo-key-123' }, 'apiKey'],
    ];
    for (const [body, field] of cases) {
      const reply = await service.admin('POST', '/api/projects', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error, 'invalid_request');
      assert.equal(reply.body.field, field, JSON.stringify(reply.body));
      assert.match(reply.body.message, new RegExp(field));
    }
    const notJson = await request(`${service.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error, 'invalid_request');
    const proto = await request(`${service.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"name":"x","__proto__":{"a":1}}',
    });
    assert.equal(proto.status, 400);
  });

  it('shows a profile by user or by a linked device, and 404s an unknown one', async () => {
    await postJson(`${service.url}/2/httpapi`, {
      api_key: service.apiKey,
      events: [
        { device_id: 'admin-dev-1', event_type: 'Browse', user_properties: { source: 'ad' } },
        { user_id: 'admin-user-2', device_id: 'admin-dev-1', event_type: 'Login', user_properties: { plan: 'pro' } },
      ],
    });
    const byUser = await service.admin('GET', '/api/projects/1/profiles?user_id=admin-user-2');
    assert.equal(byUser.status, 200);
    assert.deepEqual(byUser.body.properties, { source: 'ad', plan: 'pro' });
    const byDevice = await service.admin('GET', '/api/projects/1/profiles?device_id=admin-dev-1');
    assert.equal(byDevice.body.person, 'user:admin-user-2');
    assert.equal((await service.admin('GET', '/api/projects/1/profiles?user_id=nobody-here')).status, 404);
    assert.equal((await service.admin('GET', '/api/projects/999/profiles?user_id=x')).status, 404);
    assert.equal((await service.admin('GET', '/api/projects/1/profiles')).status, 400);
    assert.equal((await service.admin('GET', '/api/events?limit=0')).status, 400);
    assert.equal((await service.admin('GET', '/api/events?limit=abc')).body.field, 'limit');
  });

  it('answers health checks without auth', async () => {
    assert.deepEqual((await request(`${service.url}/healthz`)).body, { status: 'ok' });
    assert.deepEqual((await request(`${service.url}/readyz`)).body, { status: 'ready' });
  });
});

describe('admin API: project names follow the rules for names (src/display-names.ts)', () => {
  it('stores a name without its surrounding whitespace', async () => {
    const created = await service.admin('POST', '/api/projects', { name: '  Trimmed shop \t' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, 'Trimmed shop');
    const listed = (await service.admin('GET', '/api/projects')).body.projects.find((p: { id: number }) => p.id === created.body.id);
    assert.equal(listed.name, 'Trimmed shop');
  });

  it('refuses invisible and format characters, and a name of only spaces or invisible characters as empty', async () => {
    const cases: [string, string][] = [
      ['Sh\u200bop', 'name: must not contain invisible or format characters (found U+200B)'],
      ['Shop\u200f', 'name: must not contain invisible or format characters (found U+200F)'],
      ['Sh\u00adop', 'name: must not contain invisible or format characters (found U+00AD)'],
      ['Shop \u{e0001}', 'name: must not contain invisible or format characters (found U+E0001)'],
      ['   ', 'name: must not be empty (spaces and invisible characters alone are no name)'],
      [' \u3164 ', 'name: must not be empty (spaces and invisible characters alone are no name)'],
      ['\u200b', 'name: must not be empty (spaces and invisible characters alone are no name)'],
      ['Shop\u202eexe', 'name: must not contain control characters or bidirectional overrides'],
      ['\u0301', 'name: must not start with a combining mark (found U+0301)'],
      ['\u0301Shop', 'name: must not start with a combining mark (found U+0301)'],
    ];
    for (const [name, message] of cases) {
      const reply = await service.admin('POST', '/api/projects', { name });
      assert.equal(reply.status, 400, JSON.stringify(name));
      assert.deepEqual(reply.body, { error: 'invalid_request', message, field: 'name' }, JSON.stringify(name));
    }
  });

  it('refuses a name of variation selectors alone, and one after a character it cannot modify', async () => {
    const empty = 'name: must not be empty (spaces and invisible characters alone are no name)';
    const cases: [string, string][] = [
      ['\ufe0f', empty],
      ['\u{e0100}', empty],
      ['Shop\ufe0f', 'name: may have a variation selector only right after the emoji or CJK ideograph it modifies (found U+FE0F)'],
    ];
    for (const [name, message] of cases) {
      const reply = await service.admin('POST', '/api/projects', { name });
      assert.equal(reply.status, 400, JSON.stringify(name));
      assert.deepEqual(reply.body, { error: 'invalid_request', message, field: 'name' }, JSON.stringify(name));
    }
    const heart = await service.admin('POST', '/api/projects', { name: '❤️ fans' });
    assert.equal(heart.status, 201, 'after an emoji it picks how the emoji is drawn');
  });

  it('counts the 200-character limit in characters as people see them, after trimming, as for syncs', async () => {
    const emoji = await service.admin('POST', '/api/projects', { name: '💥'.repeat(200) });
    assert.equal(emoji.status, 201, '200 emoji are 400 UTF-16 code units but 200 characters');
    const hearts = await service.admin('POST', '/api/projects', { name: '❤️'.repeat(200) });
    assert.equal(hearts.status, 201, '200 hearts are 400 code points but 200 characters');
    const moreHearts = await service.admin('POST', '/api/projects', { name: '❤️'.repeat(201) });
    assert.deepEqual(moreHearts.body, { error: 'invalid_request', message: 'name: must be at most 200 characters (it has 201)', field: 'name' });
    const padded = await service.admin('POST', '/api/projects', { name: `  ${'W'.repeat(200)}  ` });
    assert.equal(padded.status, 201, 'surrounding spaces do not count');
    const long = await service.admin('POST', '/api/projects', { name: 'W'.repeat(201) });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body, { error: 'invalid_request', message: 'name: must be at most 200 characters (it has 201)', field: 'name' });
  });

  it('refuses a second project with the same name, in any case or spacing, as a 409 conflict naming name', async () => {
    const first = await service.admin('POST', '/api/projects', { name: 'Shop' });
    assert.equal(first.status, 201);
    for (const name of ['Shop', ' shop', 'SHOP ']) {
      const again = await service.admin('POST', '/api/projects', { name });
      assert.equal(again.status, 409, JSON.stringify(name));
      assert.deepEqual(again.body, { error: 'conflict', message: `name: project ${first.body.id} is already called "Shop"`, field: 'name' });
    }
    const names = (await service.admin('GET', '/api/projects')).body.projects.map((p: { name: string }) => p.name);
    assert.equal(names.filter((name: string) => name.toLowerCase() === 'shop').length, 1, 'nothing was created');
  });

  it('stores other spaces as ordinary ones, and refuses names that differ only in spaces, variation selectors or joiners', async () => {
    const spaced = await service.admin('POST', '/api/projects', { name: 'Spaced\u00a0shop' });
    assert.equal(spaced.status, 201);
    assert.equal(spaced.body.name, 'Spaced shop', 'a no-break space is stored as a space');
    const heart = await service.admin('POST', '/api/projects', { name: 'Heart ❤️' });
    assert.equal(heart.status, 201);
    const cases: [string, number, string][] = [
      ['Spaced shop', spaced.body.id, 'Spaced shop'],
      ['spaced\u3000\u2002SHOP', spaced.body.id, 'Spaced shop'],
      ['Spaced  shop', spaced.body.id, 'Spaced shop'],
      ['heart ❤', heart.body.id, 'Heart ❤️'],
      ['Heart ❤\ufe0e', heart.body.id, 'Heart ❤️'],
    ];
    for (const [name, id, existing] of cases) {
      const again = await service.admin('POST', '/api/projects', { name });
      assert.equal(again.status, 409, JSON.stringify(name));
      assert.deepEqual(again.body, { error: 'conflict', message: `name: project ${id} is already called "${existing}"`, field: 'name' });
    }
  });
});
