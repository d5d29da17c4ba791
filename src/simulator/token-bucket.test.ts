import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst, then refuses until time refills it, at the configured rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 2, () => now);
    assert.deepEqual([bucket.take().ok, bucket.take().ok], [true, true]);
    assert.deepEqual(bucket.take(), { ok: false, retryAfterSeconds: 1 });
    now += 499;
    assert.equal(bucket.take().ok, false);
    now += 1;
    assert.equal(bucket.take().ok, true);
    now += 10_000;
    assert.deepEqual([bucket.take().ok, bucket.take().ok, bucket.take().ok], [true, true, false], 'never more than the burst');
  });

  it('says how many whole seconds a slow bucket needs', () => {
    let now = 0;
    const bucket = new TokenBucket(0.25, 1, () => now);
    bucket.take();
    assert.deepEqual(bucket.take(), { ok: false, retryAfterSeconds: 4 });
    now += 2000;
    assert.deepEqual(bucket.take(), { ok: false, retryAfterSeconds: 2 });
  });
});
