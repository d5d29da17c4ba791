import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSimulatorConfig } from './config-file.js';
import { parseFaultSettings } from './faults.js';
import { maskKey, parseWorkspaceSpec } from './options.js';

describe('parseWorkspaceSpec', () => {
  it('reads site:key:region, with us by default', () => {
    assert.deepEqual(parseWorkspaceSpec('s1:k1:eu'), { siteId: 's1', apiKey: 'k1', region: 'eu' });
    assert.deepEqual(parseWorkspaceSpec('s1:k1'), { siteId: 's1', apiKey: 'k1', region: 'us' });
  });

  it('refuses malformed specs without echoing the key', () => {
    assert.throws(() => parseWorkspaceSpec('s1'), /site_id:api_key/);
    assert.throws(() => parseWorkspaceSpec('s1:secret-key:asia'), (error: Error) => /region/.test(error.message) && !error.message.includes('secret-key'));
    assert.throws(() => parseWorkspaceSpec('s1:secret:us:x'), (error: Error) => !error.message.includes('secret'));
  });

  it('masks keys for display', () => {
    assert.equal(maskKey('sim-key-us'), '****y-us');
    assert.equal(maskKey('abc'), '****');
  });
});

describe('parseSimulatorConfig', () => {
  it('reads every setting, in snake or camel case', () => {
    assert.deepEqual(
      parseSimulatorConfig({
        port: 0,
        host: '127.0.0.1',
        workspaces: [{ site_id: 's', api_key: 'k', region: 'eu', environment_id: 9, identifier_mode: 'id' }, { siteId: 't', apiKey: 'l' }],
        rate_limit_per_second: 1000,
        rateLimitRetryAfter: false,
        events_create_people: false,
        seed: 3,
        limits: { batchBytes: 512_000, entityTooLargeStatus: 413 },
        faults: { latencyMs: 5 },
      }),
      {
        port: 0,
        host: '127.0.0.1',
        workspaces: [
          { siteId: 's', apiKey: 'k', region: 'eu', environmentId: 9, identifierMode: 'id' },
          { siteId: 't', apiKey: 'l', region: 'us' },
        ],
        rateLimitPerSecond: 1000,
        rateLimitRetryAfter: false,
        eventsCreatePeople: false,
        seed: 3,
        limits: { batchBytes: 512_000, entityTooLargeStatus: 413 },
        faults: { latencyMs: 5 },
      },
    );
  });

  it('names the field that is wrong', () => {
    assert.throws(() => parseSimulatorConfig([]), /must be a JSON object/);
    assert.throws(() => parseSimulatorConfig({ port: 70000 }), /port/);
    assert.throws(() => parseSimulatorConfig({ workspaces: [{ site_id: 's' }] }), /workspaces\[0\]\.api_key/);
    assert.throws(() => parseSimulatorConfig({ rate_limit_per_second: 0 }), /rate_limit_per_second/);
    assert.throws(() => parseSimulatorConfig({ limits: { itemBytes: -1 } }), /limits\.itemBytes/);
    assert.throws(() => parseSimulatorConfig({ limits: { nope: 1 } }), /limits\.nope/);
  });
});

describe('parseFaultSettings', () => {
  it('accepts every fault kind', () => {
    const settings = {
      errorRate: 0.1,
      errorStatuses: [500, 503],
      latencyMs: 10,
      resetRate: 0.01,
      timeoutRate: 0,
      rateLimitBurst: { count: 3, retryAfterSeconds: 2 },
      scripted: [
        { match: { path: '/api/v2/batch' }, times: 1, reply: { status: 429, headers: { 'Retry-After': '2' }, body: {} } },
        { match: { itemName: 'Bad Event' }, rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'm' } },
      ],
    };
    assert.deepEqual(parseFaultSettings(settings), settings);
  });

  it('refuses bad settings, naming the field', () => {
    assert.throws(() => parseFaultSettings({ errorRate: 1.5 }), /faults\.errorRate/);
    assert.throws(() => parseFaultSettings({ errorStatuses: [200] }), /faults\.errorStatuses/);
    assert.throws(() => parseFaultSettings({ surprise: 1 }), /faults\.surprise/);
    assert.throws(() => parseFaultSettings({ scripted: [{ match: {} }] }), /exactly one of reply and rejectItems/);
    assert.throws(() => parseFaultSettings({ scripted: [{ match: {}, rejectItems: {} }] }), /itemName/);
    assert.throws(() => parseFaultSettings({ scripted: [{ reply: { status: 99 } }] }), /scripted\[0\]\.reply\.status/);
  });
});
