import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postForm, postJson, postMultipart, request, useTestService } from './helpers/service.js';

const service = useTestService();

async function profile(userId: string): Promise<Record<string, unknown> | undefined> {
  const reply = await service.admin('GET', `/api/projects/1/profiles?user_id=${encodeURIComponent(userId)}`);
  return reply.status === 200 ? reply.body.properties : undefined;
}

describe('/identify', () => {
  it('takes an urlencoded body with one identification and answers 200 "success"', async () => {
    const reply = await postForm(`${service.url}/identify`, {
      api_key: service.apiKey,
      identification: JSON.stringify({ user_id: 'ident-url-1', user_properties: { plan: 'pro' } }),
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'success');
    assert.deepEqual(await profile('ident-url-1'), { plan: 'pro' });
  });

  it('takes a multipart body with an array of identifications', async () => {
    const reply = await postMultipart(`${service.url}/identify`, {
      api_key: service.apiKey,
      identification: JSON.stringify([
        { user_id: 'ident-mp-1', user_properties: { $set: { plan: 'team' }, $add: { seats: 3 } } },
        { user_id: 'ident-mp-2', user_properties: { plan: 'free' } },
      ]),
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'success');
    assert.deepEqual(await profile('ident-mp-1'), { plan: 'team', seats: 3 });
    assert.deepEqual(await profile('ident-mp-2'), { plan: 'free' });
  });

  it('takes a multipart file part as the identification text', async () => {
    const form = new FormData();
    form.append('api_key', service.apiKey);
    form.append('identification', new Blob([JSON.stringify({ user_id: 'ident-file-1', user_properties: { a: 1 } })], { type: 'application/json' }), 'ids.json');
    const reply = await request(`${service.url}/identify`, { method: 'POST', body: form });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(await profile('ident-file-1'), { a: 1 });
  });

  it('takes GET with a query string', async () => {
    const query = new URLSearchParams({ api_key: service.apiKey, identification: JSON.stringify({ user_id: 'ident-get-1', user_properties: { via: 'get' } }) });
    const reply = await request(`${service.url}/identify?${query}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'success');
    assert.deepEqual(await profile('ident-get-1'), { via: 'get' });
  });

  it('stores identifications as $identify user updates from the identify source', async () => {
    await postForm(`${service.url}/identify`, { api_key: service.apiKey, identification: JSON.stringify({ user_id: 'ident-src-1', device_id: 'ident-src-dev', user_properties: { a: 1 } }) });
    const events = (await service.admin('GET', '/api/events?user_id=ident-src-1')).body.events;
    assert.equal(events.length, 1);
    assert.equal(events[0].event_type, '$identify');
    assert.equal(events[0].source, 'identify');
    assert.deepEqual(events[0].changes, { a: { to: 1 } });
  });

  it('refuses a JSON body, a missing identification, bad JSON text and an unknown key with 400', async () => {
    const json = await postJson(`${service.url}/identify`, { api_key: service.apiKey, identification: { user_id: 'ident-json-1' } });
    assert.equal(json.status, 400);
    assert.equal(json.body.code, 400);
    assert.match(json.body.error, /Content-Type must be application\/x-www-form-urlencoded or multipart\/form-data/);

    const missing = await postForm(`${service.url}/identify`, { api_key: service.apiKey });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.missing_field, 'identification');

    const noKey = await postForm(`${service.url}/identify`, { identification: '{"user_id":"ident-nokey"}' });
    assert.equal(noKey.body.missing_field, 'api_key');

    const badJson = await postForm(`${service.url}/identify`, { api_key: service.apiKey, identification: '{"user_id":' });
    assert.equal(badJson.status, 400);
    assert.match(badJson.body.error, /identification is not valid JSON/);

    const unknown = await postForm(`${service.url}/identify`, { api_key: 'unknown-key-123456', identification: '{"user_id":"ident-unk-1"}' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /^Invalid API key/);

    const empty = await request(`${service.url}/identify`, { method: 'POST' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 400);
  });

  it('validates identifications like events, with index maps', async () => {
    const reply = await postForm(`${service.url}/identify`, {
      api_key: service.apiKey,
      identification: JSON.stringify([{ user_id: 'ident-ok-1' }, { user_id: 'abc' }, { user_properties: { a: 1 } }, { user_id: 'ident-ok-2', user_properties: 'x' }]),
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.events_with_invalid_id_lengths, { user_id: [1] });
    assert.deepEqual(reply.body.events_with_missing_fields, { user_id: [2], device_id: [2] });
    assert.deepEqual(reply.body.events_with_invalid_fields, { user_properties: [3] });
    assert.equal(await profile('ident-ok-1'), undefined, 'nothing from the refused request was stored');
  });
});

describe('/identify with a malformed multipart body', () => {
  it('answers 400 (the client\'s doing), not a 503 that asks for a retry', async () => {
    const noBoundary = await request(`${service.url}/identify`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    assert.equal(noBoundary.status, 400, noBoundary.text);
    assert.equal(noBoundary.body.code, 400);
    const truncated = await request(`${service.url}/identify`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XX' },
      body: '--XX\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nabc',
    });
    assert.equal(truncated.status, 400, truncated.text);
    assert.match(truncated.body.error, /^Invalid request body: /);
  });
});
