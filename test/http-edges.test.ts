/**
 * The HTTP edges: malformed HTTP, stalled clients, shutdown with a client that stops mid-body, and
 * framework errors (a URL fastify cannot decode, a preflight, an unknown route) in each area's shape.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir, useTestService } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Sends raw bytes and resolves with everything the server answers until it closes. */
function raw(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('HTTP edges', () => {
  it('answers malformed HTTP in Amplitude\'s shape, code equal to the status', { timeout: 30_000 }, async () => {
    const dataDir = tempDir('ampstream-edges-');
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      const cases: [string, number][] = [
        ['POST /2/httpapi HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
        ['POST /2/httpapi HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
        ['POST /2/httpapi HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
        [`GET /identify?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nX: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
      ];
      for (const [request, status] of cases) {
        const answer = await raw(server.url, request);
        assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), answer.slice(0, 100));
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: number; error: string };
        assert.equal(body.code, status);
        assert.ok(body.error.length > 0);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('stops on SIGTERM even while a client has sent half a body and stalls', { timeout: 40_000 }, async () => {
    const dataDir = tempDir('ampstream-stall-');
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write('POST /2/httpapi HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"api_key":"');
    socket.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr());
    socket.destroy();
  });
});

describe('framework errors answer in the shape of their area', () => {
  const service = useTestService();
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const response = await fetch(`${service.url}${path}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), headers: response.headers };
  };
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it("ingest paths (and every other path outside /api/ and /ui/): Amplitude's shape, a numeric code equal to the status", async () => {
    const cases: [string, string, Record<string, string>, string | undefined, number][] = [
      ['POST', '/2/httpapi/%zz', {}, undefined, 400],
      ['POST', '/batch%', {}, undefined, 400],
      ['GET', '/identify/%E0%A4%A', {}, undefined, 400],
      ['GET', '/nothing/%zz', {}, undefined, 400],
      ['PUT', '/2/httpapi', {}, undefined, 404],
      ['POST', '/nothing', { 'content-type': 'application/xml' }, '<a/>', 404],
      ['POST', '/nothing', { 'content-type': 'application/json' }, '{"a":', 400],
      ['POST', '/2/httpapi', { 'content-type': 'application/json' }, '{"a":', 400],
    ];
    for (const [method, path, headers, body, status] of cases) {
      const reply = await call(method, path, headers, body);
      assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
      assert.match(reply.type, /^application\/json/, `${method} ${path}`);
      const json = JSON.parse(reply.text) as { code: unknown; error: unknown };
      assert.equal(json.code, status, `${method} ${path}: ${reply.text}`);
      assert.equal(typeof json.error, 'string');
    }
    assert.match(JSON.parse((await call('POST', '/2/httpapi/%zz')).text).error, /^Invalid request path/);
  });

  it('a preflight without Origin or Access-Control-Request-Method is a 204 like any preflight, never plain text', async () => {
    for (const headers of [{}, { origin: 'http://site.example' }, { 'access-control-request-method': 'POST' }] as Record<string, string>[]) {
      const reply = await call('OPTIONS', '/2/httpapi', headers);
      assert.equal(reply.status, 204, `${JSON.stringify(headers)}: ${reply.text}`);
      assert.equal(reply.text, '');
    }
    const browser = await call('OPTIONS', '/2/httpapi', { origin: 'http://site.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    assert.equal(browser.status, 204);
    assert.equal(browser.headers.get('access-control-allow-origin'), '*');
    assert.match(browser.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it("the admin API: the catalog's error shape, and no CORS preflight", async () => {
    const cases: [string, string, Record<string, string>, string | undefined, number, string][] = [
      ['GET', '/api/syncs/%zz', auth, undefined, 400, 'invalid_request'],
      ['GET', '/api/syncs/%zz', {}, undefined, 400, 'invalid_request'],
      ['DELETE', '/api/syncs', auth, undefined, 404, 'not_found'],
      ['POST', '/api/syncs', { ...auth, 'content-type': 'application/xml' }, '<a/>', 415, 'unsupported_media_type'],
      ['POST', '/api/nothing', { ...auth, 'content-type': 'application/json' }, '{"a":', 400, 'invalid_request'],
      ['OPTIONS', '/api/syncs', { ...auth, origin: 'http://site.example', 'access-control-request-method': 'GET' }, undefined, 404, 'not_found'],
      ['OPTIONS', '/api/syncs', {}, undefined, 401, 'unauthorized'],
    ];
    for (const [method, path, headers, body, status, error] of cases) {
      const reply = await call(method, path, headers, body);
      assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
      const json = JSON.parse(reply.text) as { error: unknown; message: unknown; code?: unknown };
      assert.equal(json.error, error, `${method} ${path}: ${reply.text}`);
      assert.equal(typeof json.message, 'string');
      assert.equal(json.code, undefined, 'not fastify\'s shape');
      assert.equal(reply.headers.get('access-control-allow-origin'), null, `${method} ${path}: no CORS on the admin API`);
    }
  });

  it('a query parameter given more than once: one answer in every admin route (not "must be integer")', async () => {
    for (const path of ['/api/syncs?project_id=1&project_id=2', '/api/events?project_id=1&project_id=1', '/api/syncs/1/dead-letters?limit=1&limit=2']) {
      const reply = await call('GET', path, auth);
      assert.equal(reply.status, 400, path);
      const name = /\?(\w+)=/.exec(path)?.[1] as string;
      assert.deepEqual(JSON.parse(reply.text), { error: 'invalid_request', message: `${name} is given more than once; give it once`, field: name }, path);
    }
  });

  it('the web UI: an HTML page', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['GET', '/ui/%zz', 400, /This address is not valid/],
      ['GET', '/ui/syncs/%zz', 400, /This address is not valid/],
      ['POST', '/ui/syncs/%zz', 400, /This address is not valid/],
      ['OPTIONS', '/ui/syncs', 404, /There is no page at \/ui\/syncs/],
    ];
    for (const [method, path, status, message] of cases) {
      const reply = await call(method, path, { origin: 'http://site.example', 'access-control-request-method': 'GET' });
      assert.equal(reply.status, status, `${method} ${path}: ${reply.text}`);
      assert.match(reply.type, /^text\/html/, `${method} ${path}`);
      assert.match(reply.text, /^<!doctype html>/);
      assert.match(reply.text, message);
      assert.match(reply.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(reply.headers.get('access-control-allow-origin'), null);
    }
  });
});
