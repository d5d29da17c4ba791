import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRate, formatSeconds } from './format.js';

describe('formatRate', () => {
  it('rounds to one decimal (2 of 7 is 28.6%, not 28.5%)', () => {
    assert.equal(formatRate(2 / 7), '28.6%');
    assert.equal(formatRate(0.995), '99.5%');
    assert.equal(formatRate(0.5), '50.0%');
    assert.equal(formatRate(1 / 3), '33.3%');
    assert.equal(formatRate(2 / 3), '66.7%');
  });

  it('says 100.0% and 0.0% only when they are exact', () => {
    assert.equal(formatRate(1), '100.0%');
    assert.equal(formatRate(0), '0.0%');
    assert.equal(formatRate(0.9996), '>99.9%');
    assert.equal(formatRate(9999 / 10000), '>99.9%');
    assert.equal(formatRate(0.9994), '99.9%');
    assert.equal(formatRate(0.0004), '<0.1%');
    assert.equal(formatRate(1 / 10000), '<0.1%');
    assert.equal(formatRate(0.0006), '0.1%');
  });

  it('shows "—" for a rate without data', () => {
    assert.equal(formatRate(null), '—');
    assert.equal(formatRate(Number.NaN), '—');
  });
});

describe('formatSeconds', () => {
  it('gives seconds to the millisecond', () => {
    assert.equal(formatSeconds(0.045), '0.045 s');
    assert.equal(formatSeconds(1.23456), '1.235 s');
    assert.equal(formatSeconds(12), '12 s');
  });

  it('shows "—" for a latency without data, never "0 s"', () => {
    assert.equal(formatSeconds(null), '—');
    assert.equal(formatSeconds(Number.NaN), '—');
  });
});
