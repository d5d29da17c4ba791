import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptiveRateLimiter } from './rate-limiter.js';

function limiter(rate: number) {
  let now = 0;
  const l = new AdaptiveRateLimiter({ rate, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

function takeAll(l: AdaptiveRateLimiter): number {
  let n = 0;
  while (l.tryTake() === 0) n++;
  return n;
}

describe('AdaptiveRateLimiter', () => {
  it('allows a burst, then the configured rate', () => {
    const { l, advance } = limiter(100);
    assert.equal(takeAll(l), 10);
    advance(100);
    assert.equal(takeAll(l), 10);
    advance(50);
    assert.equal(takeAll(l), 5);
    assert.ok(l.tryTake() > 0, 'says how long to wait');
  });

  it('holds everything during Retry-After, keeping its rate', () => {
    const { l, advance } = limiter(100);
    takeAll(l);
    l.onThrottled(2000);
    assert.equal(l.rate, 100);
    assert.equal(l.tryTake(), 2000);
    advance(2000);
    assert.ok(l.tryTake() === 0);
    assert.equal(l.throttled, 1);
  });

  it('halves on a 429 without Retry-After, once for 429s that arrive together', () => {
    const { l, advance } = limiter(100);
    l.onThrottled(null);
    l.onThrottled(null);
    l.onThrottled(null);
    assert.equal(l.rate, 50);
    advance(1000);
    l.onThrottled(null);
    assert.ok(l.rate < 50);
  });

  it('recovers toward the configured rate after a quiet spell', () => {
    const { l, advance } = limiter(100);
    l.onThrottled(null);
    advance(1000);
    l.onThrottled(null);
    assert.ok(l.rate <= 30, `rate ${l.rate}`);
    advance(1500);
    l.tryTake();
    advance(10_000);
    l.tryTake();
    assert.ok(l.rate > 60, `rate ${l.rate}`);
    advance(60_000);
    l.tryTake();
    assert.equal(l.rate, 100);
  });
});
