import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postJson, request, useTestService, type Reply } from './helpers/service.js';

const service = useTestService();

/** Every JSON reply must carry `code` equal to the HTTP status: the SDKs read the body's code. */
function assertCode(reply: Reply, status: number): void {
  assert.equal(reply.status, status, `status: ${reply.text}`);
  assert.equal(reply.body?.code, status, `body code: ${reply.text}`);
}

async function stored(query: string): Promise<any[]> {
  const reply = await service.admin('GET', `/api/events?${query}&limit=1000`);
  return reply.body.events;
}

describe('POST /2/httpapi and /batch', () => {
  it('answers 200 with the summary and stores the events', async () => {
    const body = { api_key: service.apiKey, events: [{ user_id: 'http-ok-1', event_type: 'Signup', time: 1767225600000 }] };
    const before = Date.now();
    const reply = await postJson(`${service.url}/2/httpapi`, body);
    assertCode(reply, 200);
    assert.equal(reply.body.events_ingested, 1);
    assert.equal(reply.body.payload_size_bytes, Buffer.byteLength(JSON.stringify(body)));
    assert.ok(reply.body.server_upload_time >= before && reply.body.server_upload_time <= Date.now());
    const events = await stored('user_id=http-ok-1');
    assert.equal(events.length, 1);
    assert.equal(events[0].event_type, 'Signup');
    assert.equal(events[0].time, 1767225600000);
    assert.equal(events[0].source, 'httpapi');
  });

  it('takes the same format on /batch, and the SDK extras client_upload_time and request_metadata', async () => {
    const reply = await postJson(`${service.url}/batch`, {
      api_key: service.apiKey,
      events: [{ device_id: 'http-batch-dev', event_type: 'A' }, { device_id: 'http-batch-dev', event_type: 'B' }],
      options: {},
      client_upload_time: new Date().toISOString(),
      request_metadata: { sdk: { metrics: { histogram: {} } } },
    });
    assertCode(reply, 200);
    assert.equal(reply.body.events_ingested, 2);
    const events = await stored('device_id=http-batch-dev');
    assert.deepEqual(events.map((e) => [e.event_type, e.source]), [
      ['A', 'batch'],
      ['B', 'batch'],
    ]);
  });

  it('refuses a request without api_key or events with missing_field, which makes SDKs drop the batch', async () => {
    let reply = await postJson(`${service.url}/2/httpapi`, { events: [{ user_id: 'user-1', event_type: 'x' }] });
    assertCode(reply, 400);
    assert.equal(reply.body.missing_field, 'api_key');
    reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey });
    assertCode(reply, 400);
    assert.equal(reply.body.missing_field, 'events');
    reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [] });
    assertCode(reply, 400);
    assert.equal(reply.body.missing_field, 'events');
  });

  it('refuses an unknown API key with an error starting "Invalid API key", never echoing the key', async () => {
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: 'not-a-key-0123456789', events: [{ user_id: 'user-1', event_type: 'x' }] });
    assertCode(reply, 400);
    assert.match(reply.body.error, /^Invalid API key/);
    assert.ok(!reply.text.includes('not-a-key'));
    const wrongType = await postJson(`${service.url}/2/httpapi`, { api_key: 42, events: [{ user_id: 'user-1', event_type: 'x' }] });
    assertCode(wrongType, 400);
    assert.match(wrongType.body.error, /^Invalid API key/);
  });

  it('answers malformed bodies with Amplitude errors, never a 500', async () => {
    const cases: [string | undefined, string][] = [
      ['{"api_key": "x", "events": [', 'Invalid JSON request body'],
      ['', 'Missing request body'],
      [undefined, 'Missing request body'],
      ['[1,2]', 'Invalid JSON request body: expected a JSON object'],
      ['"text"', 'Invalid JSON request body: expected a JSON object'],
      ['42', 'Invalid JSON request body: expected a JSON object'],
      ['null', 'Invalid JSON request body: expected a JSON object'],
      ['\u0000\u0001binary', 'Invalid JSON request body'],
    ];
    for (const [body, error] of cases) {
      const reply = await request(`${service.url}/2/httpapi`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      assertCode(reply, 400);
      assert.equal(reply.body.error, error, JSON.stringify(body));
    }
  });

  it('refuses events that are not an array and events that are not objects', async () => {
    let reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: { user_id: 'user-1' } });
    assertCode(reply, 400);
    assert.match(reply.body.error, /^Invalid event JSON: events must be an array/);
    reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [{ user_id: 'user-ok-1', event_type: 'x' }, 'oops', null] });
    assertCode(reply, 400);
    assert.deepEqual(reply.body.events_with_invalid_fields, { event: [1, 2] });
  });

  it('reads bodies sent without a content type or as text/plain; refuses other content types', async () => {
    const body = JSON.stringify({ api_key: service.apiKey, events: [{ user_id: 'http-ctype-1', event_type: 'x' }] });
    assertCode(await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body }), 200);
    assertCode(await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body }), 200);
    const form = await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assertCode(form, 400);
    assert.equal(form.body.error, 'Invalid request body: Content-Type must be application/json');
    const xml = await request(`${service.url}/batch`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    assertCode(xml, 400);
  });

  it('answers per-event problems with index maps and stores nothing from that request', async () => {
    const reply = await postJson(`${service.url}/2/httpapi`, {
      api_key: service.apiKey,
      events: [
        { user_id: 'http-bad-ok', event_type: 'fine' },
        { user_id: 'abc', event_type: 'short id' },
        { user_id: 'http-bad-ok', event_type: 'bad time', time: '2026-01-01T00:00:00Z' },
        { device_id: 'http-bad-dev' },
        { user_id: 'undefined', event_type: 'reserved' },
      ],
    });
    assertCode(reply, 400);
    assert.equal(reply.body.error, 'Invalid field values on some events');
    assert.deepEqual(reply.body.events_with_invalid_id_lengths, { user_id: [1] });
    assert.deepEqual(reply.body.events_with_invalid_fields, { time: [2], user_id: [4] });
    assert.deepEqual(reply.body.events_with_missing_fields, { event_type: [3] });
    assert.deepEqual(await stored('user_id=http-bad-ok'), []);
  });

  it('removes a too-short id when the event keeps a valid other id, as Amplitude does, on both endpoints', async () => {
    for (const path of ['/2/httpapi', '/batch']) {
      const device = `short-uid-dev-${path.length}`;
      const reply = await postJson(`${service.url}${path}`, {
        api_key: service.apiKey,
        events: [{ user_id: 'ab', device_id: device, event_type: 'Kept', insert_id: `short-uid-${path}` }],
      });
      assertCode(reply, 200);
      assert.equal(reply.body.events_ingested, 1);
      const events = await stored(`device_id=${device}`);
      assert.equal(events.length, 1, path);
      assert.equal(events[0].user_id, null, 'the short user_id is removed');
      assert.equal(Object.hasOwn(events[0].payload, 'user_id'), false);
    }
  });

  it('caps /2/httpapi bodies at 1 MB and /batch at 20 MB with 413 "Payload too large"', async () => {
    const events = (n: number, pad: number) =>
      Array.from({ length: n }, (_, i) => ({ user_id: 'http-size-user', event_type: 'x', insert_id: `size-${n}-${i}`, event_properties: { pad: 'p'.repeat(pad) } }));
    const justOver1MB = { api_key: service.apiKey, events: events(1100, 1000) };
    assert.ok(Buffer.byteLength(JSON.stringify(justOver1MB)) > 1024 * 1024);
    const tooLarge = await postJson(`${service.url}/2/httpapi`, justOver1MB);
    assertCode(tooLarge, 413);
    assert.equal(tooLarge.body.error, 'Payload too large');
    assertCode(await postJson(`${service.url}/batch`, justOver1MB), 200);

    const over20MB = 'x'.repeat(20 * 1024 * 1024 + 10);
    const huge = await request(`${service.url}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: over20MB });
    assertCode(huge, 413);
  });

  it('takes /2/httpapi bodies under 1 MB (999,999 bytes, not 1,000,000) and /batch bodies up to 20 MB (20,000,000 bytes, not one more)', async () => {
    /** A valid body of exactly `size` bytes: one event, padded with JSON whitespace. */
    const bodyOf = (size: number, device: string) => {
      const json = JSON.stringify({ api_key: service.apiKey, events: [{ device_id: device, event_type: 'Sized' }] });
      assert.ok(size > json.length);
      const body = json + ' '.repeat(size - json.length);
      assert.equal(Buffer.byteLength(body), size);
      return body;
    };
    const cases: Array<[string, number, number]> = [
      ['/2/httpapi', 999_999, 200],
      ['/2/httpapi', 1_000_000, 413],
      ['/2/httpapi', 1_000_001, 413],
      ['/batch', 19_999_999, 200],
      ['/batch', 20_000_000, 200],
      ['/batch', 20_000_001, 413],
    ];
    for (const [path, size, status] of cases) {
      const reply = await postJson(`${service.url}${path}`, bodyOf(size, `sized-dev-${size}`));
      assertCode(reply, status);
      if (status === 413) assert.equal(reply.body.error, 'Payload too large');
      else assert.equal(reply.body.payload_size_bytes, size);
    }
  });

  it('applies the byte limits to the decoded body of a compressed request, at the same boundaries', async () => {
    const { gzipSync } = await import('node:zlib');
    const json = JSON.stringify({ api_key: service.apiKey, events: [{ device_id: 'sized-gzip-dev', event_type: 'Sized' }] });
    const gzipOf = (size: number) => gzipSync(Buffer.from(json + ' '.repeat(size - json.length)));
    const send = (path: string, size: number) =>
      request(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipOf(size) });
    assertCode(await send('/2/httpapi', 999_999), 200);
    assertCode(await send('/2/httpapi', 1_000_000), 413);
    assertCode(await send('/batch', 20_000_000), 200);
    assertCode(await send('/batch', 20_000_001), 413);
  });

  it('takes fewer than 2000 events on /2/httpapi ("< 2000") and up to 2000 on /batch ("2000 per batch")', async () => {
    const events = (n: number) => Array.from({ length: n }, () => ({ device_id: 'http-count-dev', event_type: 'x' }));
    assertCode(await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: events(1999) }), 200);
    const v2 = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: events(2000) });
    assertCode(v2, 413);
    assert.equal(v2.body.error, 'Payload too large');
    const batch = await postJson(`${service.url}/batch`, { api_key: service.apiKey, events: events(2000) });
    assertCode(batch, 200);
    assert.equal(batch.body.events_ingested, 2000);
    const over = await postJson(`${service.url}/batch`, { api_key: service.apiKey, events: events(2001) });
    assertCode(over, 413);
    assert.equal(over.body.error, 'Payload too large');
  });

  it('refuses a bad options.min_id_length', async () => {
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [{ user_id: 'user-1', event_type: 'x' }], options: { min_id_length: 'two' } });
    assertCode(reply, 400);
    assert.match(reply.body.error, /min_id_length/);
  });

  it('cuts strings over 1024 characters and keeps __proto__ keys as plain data', async () => {
    const body = `{"api_key":"${service.apiKey}","events":[{"user_id":"http-long-1","event_type":"x","user_properties":{"s":"${'a'.repeat(3000)}"},"event_properties":{"s":"${'a'.repeat(3000)}","__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}}]}`;
    assertCode(await postJson(`${service.url}/2/httpapi`, body), 200);
    const [event] = await stored('user_id=http-long-1');
    assert.equal(event.user_properties.s.length, 1024);
    assert.equal(event.payload.event_properties.s.length, 3000, 'event properties are cut only beyond 100,000 characters');
    assert.deepEqual(Object.keys(event.payload.event_properties), ['s', '__proto__', 'constructor']);
    assert.deepEqual(event.payload.event_properties.__proto__, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses properties nested deeper than 40 levels', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 41; i++) deep = { d: deep };
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [{ user_id: 'user-deep', event_type: 'x', event_properties: deep }] });
    assertCode(reply, 400);
    assert.deepEqual(reply.body.events_with_invalid_fields, { event_properties: [0] });
  });

  it('answers a duplicate insert_id as success without storing it again', async () => {
    const body = { api_key: service.apiKey, events: [{ user_id: 'http-dup-1', device_id: 'http-dup-dev', event_type: 'Signup', insert_id: 'dup-1' }] };
    assertCode(await postJson(`${service.url}/2/httpapi`, body), 200);
    const again = await postJson(`${service.url}/2/httpapi`, body);
    assertCode(again, 200);
    assert.equal(again.body.events_ingested, 1);
    assert.equal((await stored('user_id=http-dup-1')).length, 1);
  });

  it('answers unknown paths with Amplitude\'s "Invalid request path"', async () => {
    const reply = await postJson(`${service.url}/3/httpapi`, {});
    assertCode(reply, 404);
    assert.equal(reply.body.error, 'Invalid request path');
  });

  it('never answers 500 to random malformed bodies', async () => {
    const samples: unknown[] = [];
    const values = [null, true, 0, -1, 1e308, '', 'x', [], {}, [null], { a: [] }, '{}', 'anonymous', 1.5, '1767225600000'];
    let seed = 7;
    const pick = <T>(list: T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return list[seed % list.length] as T;
    };
    const fields = ['api_key', 'events', 'options', 'user_id', 'device_id', 'event_type', 'time', 'insert_id', 'user_properties', 'event_properties', 'session_id', 'min_id_length'];
    for (let i = 0; i < 150; i++) {
      const event: Record<string, unknown> = {};
      for (let j = 0; j < 4; j++) event[pick(fields)] = pick(values);
      const body: Record<string, unknown> = { api_key: pick([service.apiKey, service.apiKey, null, 5]), events: pick([[event], [event, event], event, null]) };
      if (i % 3 === 0) body.options = { min_id_length: pick(values) };
      samples.push(body);
    }
    for (const body of samples) {
      const reply = await postJson(`${service.url}/2/httpapi`, body);
      assert.ok([200, 400, 413].includes(reply.status), `${reply.status} for ${JSON.stringify(body)}: ${reply.text}`);
      assert.equal(reply.body.code, reply.status);
    }
  });
});

describe('names that objects inherit are plain data everywhere', () => {
  const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype', '__proto__'])];

  it('as top-level event fields, event and user property names, and $set keys: accepted and stored as sent', async () => {
    for (const name of NAMES) {
      const raw = `{"api_key":"${service.apiKey}","events":[{"user_id":"proto-user-1","event_type":"Proto","insert_id":"proto-${name}",` +
        `"${name}":"top","event_properties":{"${name}":1},"user_properties":{"$set":{"${name}":"set"}}}]}`;
      const reply = await postJson(`${service.url}/2/httpapi`, raw);
      assert.equal(reply.status, 200, `${name}: ${reply.text}`);
      assert.equal(reply.body.code, 200);
    }
    const stored = (await service.admin('GET', '/api/events?user_id=proto-user-1&limit=100')).body.events as any[];
    assert.equal(stored.length, NAMES.length);
    for (const event of stored) {
      const name = (event.insert_id as string).slice('proto-'.length);
      assert.equal(Object.getOwnPropertyDescriptor(event.payload, name)?.value, 'top', `${name} kept as a field`);
      assert.equal(Object.getOwnPropertyDescriptor(event.payload.event_properties, name)?.value, 1);
    }
    const profile = (await service.admin('GET', '/api/projects/1/profiles?user_id=proto-user-1')).body.properties;
    for (const name of NAMES) assert.equal(Object.getOwnPropertyDescriptor(profile, name)?.value, 'set', `${name} in the profile`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('as names of problems: an invalid field named toString is reported, not a crash', async () => {
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [{ user_id: 'ab', event_type: 'x', toString: 'y' }] });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.events_with_invalid_id_lengths, { user_id: [0] });
  });

  it('as /identify form fields and identification fields', async () => {
    const form = new URLSearchParams({ api_key: service.apiKey, identification: JSON.stringify({ user_id: 'proto-user-2', toString: 'x', user_properties: { constructor: 'c', valueOf: 1 } }) });
    form.append('__proto__', 'x');
    form.append('hasOwnProperty', 'y');
    const reply = await request(`${service.url}/identify`, { method: 'POST', body: form });
    assert.equal(reply.status, 200, reply.text);
    const profile = (await service.admin('GET', '/api/projects/1/profiles?user_id=proto-user-2')).body.properties;
    assert.deepEqual(Object.entries(profile), [['constructor', 'c'], ['valueOf', 1]]);
  });
});

describe('browsers', () => {
  it('may post from any origin: preflight and replies carry CORS headers; the admin API does not', async () => {
    const preflight = await fetch(`${service.url}/2/httpapi`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    const reply = await fetch(`${service.url}/batch`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: service.apiKey, events: [{ device_id: 'browser-device-1', event_type: 'x' }] }),
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('access-control-allow-origin'), '*');
    const adminReply = await fetch(`${service.url}/api/projects`, { headers: { origin: 'https://app.example.com' } });
    assert.equal(adminReply.headers.get('access-control-allow-origin'), null);
  });
});

describe('compressed bodies', () => {
  it('takes gzip, deflate and br bodies; refuses bad ones and ones that inflate past the limit', async () => {
    const { gzipSync, deflateSync, brotliCompressSync } = await import('node:zlib');
    const body = Buffer.from(JSON.stringify({ api_key: service.apiKey, events: [{ device_id: 'gzip-device-1', event_type: 'Zipped' }] }));
    for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      const reply = await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: compress(body) });
      assert.equal(reply.status, 200, `${encoding}: ${reply.text}`);
    }
    assert.equal((await service.admin('GET', '/api/events?device_id=gzip-device-1')).body.events.length, 3);
    const bad = await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'Invalid request body: the body is not valid gzip');
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 32));
    const tooLarge = await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.code, 413);
    const unknown = await request(`${service.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' }, body: 'x' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /not supported/);
  });
});
