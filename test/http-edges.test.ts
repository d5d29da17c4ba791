/** The HTTP edges: malformed HTTP, stalled clients, and shutdown with a client that stops mid-body. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir } from './helpers/service.js';

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
