import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRetry, DEFAULT_RETRY_POLICY } from './retry-policy.js';

const policy = { backoffBaseMs: 1000, backoffCapMs: 8000, maxAttempts: 10, maxAgeMs: 60 * 60 * 1000 };

describe('decideRetry', () => {
  it('waits exponentially longer, with jitter between half and all of the step', () => {
    assert.deepEqual(decideRetry(1, 0, 0, policy, 0), { kind: 'retry', at: 500 });
    assert.deepEqual(decideRetry(1, 0, 0, policy, 0.999999), { kind: 'retry', at: 999.9995 });
    assert.deepEqual(decideRetry(3, 0, 0, policy, 0), { kind: 'retry', at: 2000 });
  });

  it('never waits longer than the cap', () => {
    assert.deepEqual(decideRetry(9, 0, 0, policy, 0.5), { kind: 'retry', at: 6000 });
  });

  it('never retries before a Retry-After the server gave', () => {
    assert.deepEqual(decideRetry(1, 0, 0, policy, 0, 30_000), { kind: 'retry', at: 30_000 });
  });

  it('expires after the last attempt or past the age limit', () => {
    const tooMany = decideRetry(10, 0, 0, policy, 0);
    assert.equal(tooMany.kind, 'expired');
    assert.match((tooMany as { reason: string }).reason, /failed 10 attempts/);
    const tooOld = decideRetry(2, 0, policy.maxAgeMs, policy, 0);
    assert.equal(tooOld.kind, 'expired');
  });

  it('defaults to Amplitude\'s policy: 10 attempts within 4 hours', () => {
    assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 10);
    assert.equal(DEFAULT_RETRY_POLICY.maxAgeMs, 4 * 60 * 60 * 1000);
  });
});
