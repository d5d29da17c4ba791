import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyTrackResponse, classifyTransportError, parseRetryAfter, type TrackResponse } from './track-outcome.js';

const NOW = Date.UTC(2026, 0, 1);
const context = { itemCount: 3, now: NOW };

function reply(status: number, body: unknown = {}, headers: TrackResponse['headers'] = {}): TrackResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

describe('classifyTrackResponse', () => {
  it('delivered: 200 {}', () => {
    assert.deepEqual(classifyTrackResponse(reply(200), context), { kind: 'delivered', status: 200 });
    assert.deepEqual(classifyTrackResponse(reply(207, { errors: [] }), context), { kind: 'delivered', status: 207 });
  });

  it('permanent for named items: a 207 lists batch_index, reason, field and message; the others were accepted', () => {
    const body = { errors: [{ batch_index: 1, reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' }] };
    assert.deepEqual(classifyTrackResponse(reply(207, body), context), {
      kind: 'items_rejected',
      status: 207,
      failures: [{ batchIndex: 1, reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' }],
      othersAccepted: true,
    });
  });

  it('a 207 that cannot be read, or names items the batch lacks, is retried rather than guessed', () => {
    assert.equal(classifyTrackResponse(reply(207, '<html>'), context).kind, 'retryable');
    assert.equal(classifyTrackResponse(reply(207, { errors: [{ batch_index: 9 }] }), context).kind, 'retryable');
  });

  it('permanent for every item: a 400 for the whole request, with Customer.io\'s reason', () => {
    const outcome = classifyTrackResponse(reply(400, { errors: [{ reason: 'parse_error', field: '', message: 'request body is not valid JSON' }] }), context);
    assert.equal(outcome.kind, 'items_rejected');
    assert.deepEqual(outcome.kind === 'items_rejected' && outcome.failures.map((f) => [f.batchIndex, f.reason, f.message]), [
      [0, 'parse_error', 'request body is not valid JSON'],
      [1, 'parse_error', 'request body is not valid JSON'],
      [2, 'parse_error', 'request body is not valid JSON'],
    ]);
    assert.equal(outcome.kind === 'items_rejected' && outcome.othersAccepted, false);
  });

  it('a 400 naming items fails those; the rest are not known to be accepted', () => {
    const outcome = classifyTrackResponse(reply(400, { errors: [{ batch_index: 2, reason: 'invalid', field: 'name', message: 'm' }] }), context);
    assert.deepEqual(outcome, { kind: 'items_rejected', status: 400, failures: [{ batchIndex: 2, reason: 'invalid', field: 'name', message: 'm' }], othersAccepted: false });
  });

  it('a 413 or an unreadable 4xx fails every item with a reason', () => {
    const tooLarge = classifyTrackResponse(reply(413, ''), context);
    assert.equal(tooLarge.kind === 'items_rejected' && tooLarge.failures[0]?.reason, 'too_large');
    const v1Shape = classifyTrackResponse(reply(422, { meta: { errors: ['a', 'b'] } }), context);
    assert.equal(v1Shape.kind === 'items_rejected' && v1Shape.failures[0]?.message, 'a; b');
  });

  it('rate limited: a 429, with Retry-After in seconds or as a date, or without it', () => {
    assert.deepEqual(classifyTrackResponse(reply(429, {}, { 'retry-after': '2' }), context), { kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    assert.deepEqual(classifyTrackResponse(reply(429, {}, { 'retry-after': new Date(NOW + 5000).toUTCString() }), context), {
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 5000,
    });
    assert.deepEqual(classifyTrackResponse(reply(429, 'Too Many'), context), { kind: 'rate_limited', status: 429, retryAfterMs: null });
  });

  it('retryable: every 5xx (HTML bodies included), 522/524 and 408', () => {
    for (const status of [500, 502, 503, 504, 522, 524]) {
      const outcome = classifyTrackResponse(reply(status, '<html>bad gateway</html>'), context);
      assert.deepEqual([outcome.kind, outcome.kind === 'retryable' && outcome.cause], ['retryable', 'server_error'], String(status));
    }
    const timeout = classifyTrackResponse(reply(408, ''), context);
    assert.deepEqual([timeout.kind, timeout.kind === 'retryable' && timeout.cause], ['retryable', 'request_timeout']);
  });

  it('configuration: 401 and 403 concern the whole workspace', () => {
    assert.deepEqual(classifyTrackResponse(reply(401, { meta: { error: 'Unauthorized request' } }), context), {
      kind: 'configuration',
      status: 401,
      problem: 'credentials_rejected',
      message: 'Unauthorized request',
    });
    assert.deepEqual(classifyTrackResponse(reply(403, ''), context), { kind: 'configuration', status: 403, problem: 'forbidden', message: 'HTTP 403' });
  });

  it('configuration: a redirect means the workspace is in the other region', () => {
    const outcome = classifyTrackResponse(reply(307, '', { location: 'https://track-eu.customer.io/api/v2/batch' }), context);
    assert.equal(outcome.kind === 'configuration' && outcome.problem, 'wrong_region');
    assert.equal(outcome.kind === 'configuration' && outcome.location, 'https://track-eu.customer.io/api/v2/batch');
  });

  it('configuration: 404 and 405 mean the URL is not a Track API', () => {
    assert.equal(classifyTrackResponse(reply(404), context).kind, 'configuration');
  });
});

describe('classifyTransportError', () => {
  it('sorts network failures into timeouts, resets and failed connections, all retryable', () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
      [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'connection_reset'],
      [new Error('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), 'connection_reset'],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'connection_failed'],
      ['weird', 'connection_failed'],
    ];
    for (const [error, cause] of cases) {
      const outcome = classifyTransportError(error);
      assert.deepEqual([outcome.kind, outcome.cause, outcome.status], ['retryable', cause, null]);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    assert.equal(parseRetryAfter('0', NOW), 0);
    assert.equal(parseRetryAfter(' 30 ', NOW), 30_000);
    assert.equal(parseRetryAfter(new Date(NOW - 1000).toUTCString(), NOW), 0);
    assert.equal(parseRetryAfter('1.5', NOW), null);
    assert.equal(parseRetryAfter('-1', NOW), null);
    assert.equal(parseRetryAfter('soon', NOW), null);
    assert.equal(parseRetryAfter(undefined, NOW), null);
  });
});
