import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool } from 'undici';
import { basic, call, eventOp, fakeClock, startSimulator, US, useSimulator } from './simulator-client.js';

describe('simulator rate limiting', () => {
  const clock = fakeClock();
  const sim = useSimulator({ now: clock.now, rateLimitPerSecond: 3 }, { resetEach: false });

  it('lets a burst of the rate through, then answers 429 with Retry-After until tokens refill', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim().url, 'GET', '/auth')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await call(sim().url, 'POST', '/api/v2/batch', { batch: [eventOp('u1', 'e')] });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.deepEqual(limited.json, { meta: { error: 'rate limit exceeded' } });
    assert.deepEqual(sim().people(), [], 'a limited request changes nothing');
    clock.advance(1000);
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200);
    assert.equal(sim().counters().workspaces['site-us']?.rate_limited, 2);
  });

  it('keeps a bucket per workspace', async () => {
    sim().reset();
    for (let i = 0; i < 3; i++) await call(sim().url, 'GET', '/auth');
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 429);
    assert.equal((await call(sim().url, 'GET', '/auth', undefined, { auth: { siteId: 'site-eu', apiKey: 'key-eu' } })).status, 200);
  });
});

describe('simulator rate limiting without Retry-After', () => {
  it('can leave Retry-After out, as the real API may', async () => {
    const own = await startSimulator({ now: fakeClock().now, rateLimitPerSecond: 1, rateLimitRetryAfter: false });
    try {
      await call(own.url, 'GET', '/auth');
      const limited = await call(own.url, 'GET', '/auth');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), null);
    } finally {
      await own.close();
    }
  });
});

describe('simulator fault injection', () => {
  const sim = useSimulator();

  async function raw(path: string, headersTimeout: number): Promise<{ status: number } | { error: string }> {
    const pool = new Pool(sim().url, { headersTimeout, bodyTimeout: headersTimeout });
    try {
      const reply = await pool.request({ method: 'GET', path, headers: { authorization: basic(US.siteId, US.apiKey) } });
      await reply.body.text();
      return { status: reply.statusCode };
    } catch (error) {
      return { error: (error as { code?: string }).code ?? String(error) };
    } finally {
      await pool.destroy();
    }
  }

  it('answers server errors with an HTML body at the configured rate and statuses', async () => {
    sim().setFaults({ errorRate: 1, errorStatuses: [502] });
    const reply = await call(sim().url, 'POST', '/api/v2/batch', { batch: [eventOp('u1', 'e')] });
    assert.equal(reply.status, 502);
    assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
    assert.match(reply.text, /<html/);
    assert.deepEqual(sim().people(), []);
    sim().setFaults({ errorRate: 0 });
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200);
  });

  it('hits a fraction of requests close to the error rate, the same way for the same seed', async () => {
    sim().setFaults({ errorRate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(sim().url, 'GET', '/auth')).status);
    const errors = statuses.filter((s) => s === 503).length;
    assert.ok(errors > 8 && errors < 32, `${errors} of 40`);
    assert.equal(sim().counters().faults.errorRate, errors);
  });

  it('resets connections', async () => {
    sim().setFaults({ resetRate: 1 });
    assert.deepEqual(await raw('/auth', 5_000), { error: 'ECONNRESET' });
    assert.equal(sim().requests()[0]?.reply && 'fault' in sim().requests()[0]!.reply! ? 'reset' : 'replied', 'reset');
  });

  it('never answers a timed-out request, so the client\'s own timeout fires', async () => {
    sim().setFaults({ timeoutRate: 1 });
    assert.deepEqual(await raw('/auth', 200), { error: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('adds latency before replies', async () => {
    sim().setFaults({ latencyMs: 1_000 });
    assert.deepEqual(await raw('/auth', 100), { error: 'UND_ERR_HEADERS_TIMEOUT' });
    sim().setFaults({});
    assert.deepEqual(await raw('/auth', 30_000), { status: 200 });
  });

  it('answers a burst of 429s, then recovers', async () => {
    sim().setFaults({ rateLimitBurst: { count: 2, retryAfterSeconds: 3 } });
    const first = await call(sim().url, 'GET', '/auth');
    assert.deepEqual([first.status, first.headers.get('retry-after')], [429, '3']);
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 429);
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200);
  });

  it('answers by scripted rule, a given number of times ("the first batch request")', async () => {
    sim().setFaults({ scripted: [{ match: { path: '/api/v2/batch' }, times: 1, reply: { status: 429, headers: { 'Retry-After': '2' }, body: {} } }] });
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200, 'other routes do not match');
    const first = await call(sim().url, 'POST', '/api/v2/batch', { batch: [eventOp('u1', 'Login')] });
    assert.deepEqual([first.status, first.headers.get('retry-after'), first.json], [429, '2', {}]);
    assert.deepEqual(sim().people(), []);
    assert.equal((await call(sim().url, 'POST', '/api/v2/batch', { batch: [eventOp('u1', 'Login')] })).status, 200);
    assert.equal(sim().person({ id: 'u1' })?.events.length, 1);
  });

  it('rejects the operations named X with a 207 at their index, applying the rest', async () => {
    sim().setFaults({
      scripted: [
        {
          match: { itemName: 'Bad Event' },
          rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' },
        },
      ],
    });
    const reply = await call(sim().url, 'POST', '/api/v2/batch', { batch: [eventOp('u1', 'Good One'), eventOp('u2', 'Bad Event'), eventOp('u3', 'Good Two')] });
    assert.equal(reply.status, 207);
    assert.deepEqual(reply.json, {
      errors: [{ batch_index: 1, reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' }],
    });
    assert.deepEqual(sim().people().map((p) => p.id), ['u1', 'u3']);
  });

  it('takes fault settings over HTTP at run time, and refuses bad ones with the field named', async () => {
    const set = await call(sim().url, 'PUT', '/_sim/faults', { errorRate: 1, errorStatuses: [500] }, { auth: null });
    assert.equal(set.status, 200);
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 500);
    const bad = await call(sim().url, 'PUT', '/_sim/faults', { errorRate: 2 }, { auth: null });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /faults\.errorRate/);
    const current = (await call(sim().url, 'GET', '/_sim/faults', undefined, { auth: null })).json as { errorRate: number };
    assert.equal(current.errorRate, 1);
    sim().reset();
    assert.equal((await call(sim().url, 'GET', '/auth')).status, 200, 'reset restores the start settings');
  });
});

describe('simulator faults set at start', () => {
  it('applies the faults it was started with', async () => {
    const own = await startSimulator({ faults: { errorRate: 1, errorStatuses: [504] } });
    try {
      assert.equal((await call(own.url, 'GET', '/auth')).status, 504);
    } finally {
      await own.close();
    }
  });
});
