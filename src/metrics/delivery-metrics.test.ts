import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addOutcome, emptyDelta, LATENCY_BOUNDS_MS, latencyBucket, MetricDeltas, MINUTE_MS, percentileMs } from './delivery-metrics.js';
import { amplitudeTimestamp, resolvePeriod, summarize } from './metrics-summary.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 30);

describe('delivery metrics', () => {
  it('counts outcomes in their minute: first-attempt and after-retry successes, dead and expired, failed requests', () => {
    const deltas = new MetricDeltas();
    const base = { syncId: 1, at: NOW, createdAt: NOW - 120, sent: true };
    addOutcome(deltas, { ...base, kind: 'delivered', sendsBefore: 0 });
    addOutcome(deltas, { ...base, kind: 'delivered', sendsBefore: 2 });
    addOutcome(deltas, { ...base, kind: 'retry', sendsBefore: 0 });
    addOutcome(deltas, { ...base, kind: 'dead', sendsBefore: 3, expired: true });
    addOutcome(deltas, { ...base, kind: 'dead', sendsBefore: 0 });
    addOutcome(deltas, { ...base, at: NOW + MINUTE_MS, kind: 'delivered', sendsBefore: 0 });
    assert.equal(deltas.size, 2);
    const first = deltas.at(1, NOW);
    assert.deepEqual(
      [first.delivered, first.firstAttempt, first.afterRetry, first.retried, first.dead, first.expired],
      [2, 1, 1, 1, 2, 1],
    );
    assert.equal(first.latency[latencyBucket(120)], 2);
  });

  it('finds percentiles in a latency histogram by interpolating within the bucket', () => {
    const histogram = emptyDelta().latency;
    assert.equal(percentileMs(histogram, 0.95), undefined);
    histogram[latencyBucket(80)] = 100; // all in (50, 100]
    assert.equal(percentileMs(histogram, 0.5), 75);
    assert.equal(percentileMs(histogram, 1), 100);
    histogram[LATENCY_BOUNDS_MS.length] = 100; // half beyond the last bound
    assert.equal(percentileMs(histogram, 0.99), LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
  });

  it('summarises a period in Amplitude\'s shape', () => {
    const a = emptyDelta();
    a.delivered = 19;
    a.firstAttempt = 18;
    a.afterRetry = 1;
    a.latency[latencyBucket(5000)] = 19;
    const b = emptyDelta();
    b.dead = 1;
    b.expired = 1;
    b.discarded = 3;
    const range = resolvePeriod('ONE_HOUR', NOW);
    const summary = summarize(range, [a, b]);
    assert.deepEqual({ ...summary, latencyInSeconds: Math.round(summary.latencyInSeconds * 10) / 10 }, {
      timePeriod: 'ONE_HOUR',
      eventsDelivered: 19,
      eventsNotDelivered: 1,
      deliveryRate: 0.95,
      latencyInSeconds: 4.9,
      timePeriodStart: '2026-12-03 11:00:00.000000',
      timePeriodEnd: amplitudeTimestamp(NOW),
      successOnFirstAttempt: 18,
      successAfterRetry: 1,
      eventsExpired: 1,
      eventsDiscarded: 3,
    });
    assert.equal(summarize(range, []).deliveryRate, 1, 'nothing to deliver is not a failure');
  });

  it('reads minute buckets for periods up to four hours and hour buckets beyond', () => {
    assert.equal(resolvePeriod('TEN_MINUTES', NOW).granularity, 'minute');
    assert.equal(resolvePeriod('FOUR_HOURS', NOW).granularity, 'minute');
    assert.equal(resolvePeriod('ONE_DAY', NOW).granularity, 'hour');
    assert.equal(resolvePeriod('TWO_WEEKS', NOW).start, Date.UTC(2026, 10, 19, 12));
  });

  it('takes CUSTOM ranges in ISO-8601 with an offset, start inclusive and end exclusive', () => {
    const range = resolvePeriod('CUSTOM', NOW, '2026-12-03T12:00:00+01:00', '2026-12-03T12:30:00+01:00');
    assert.deepEqual([range.start, range.end, range.granularity], [Date.UTC(2026, 11, 3, 11), Date.UTC(2026, 11, 3, 11, 30), 'minute']);
    assert.equal(resolvePeriod('CUSTOM', NOW, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z').granularity, 'hour');
  });

  it('refuses CUSTOM without start or end, with end before start, a bad date, or beyond 90 days, naming the field', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { field?: string }).field;
      }
      return undefined;
    };
    assert.equal(field(() => resolvePeriod('CUSTOM', NOW)), 'start');
    assert.equal(field(() => resolvePeriod('CUSTOM', NOW, '2026-12-03T10:00:00Z')), 'end');
    assert.equal(field(() => resolvePeriod('CUSTOM', NOW, '2026-12-03T10:00:00Z', '2026-12-03T09:00:00Z')), 'end');
    assert.equal(field(() => resolvePeriod('CUSTOM', NOW, 'yesterday', '2026-12-03T09:00:00Z')), 'start');
    assert.equal(field(() => resolvePeriod('CUSTOM', NOW, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z')), 'start');
  });
});
