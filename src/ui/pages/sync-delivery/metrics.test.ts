import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDelta } from '../../../metrics/delivery-metrics.js';
import { resolvePeriod, summarize } from '../../../metrics/metrics-summary.js';
import { renderHtml } from '../../html.js';
import { MetricsSection, type MetricsView } from './metrics.js';

const NOW = Date.UTC(2026, 11, 3, 10, 30);

function view(deltas: ReturnType<typeof emptyDelta>[]): MetricsView {
  const range = resolvePeriod('ONE_HOUR', NOW);
  return { period: 'ONE_HOUR', range, summary: summarize(range, deltas), frame: { id: 'chart', from: range.start, to: range.end, bucketMs: 60_000 }, counts: [], latency: [] };
}

function card(html: string, label: string): string | undefined {
  return new RegExp(`<dt class="label">${label}</dt><dd class="value">([^<]*)</dd>`).exec(html)?.[1];
}

describe('the delivery page summary', () => {
  it('shows "—" for the rate and the latency of a period without deliveries, and 0 for its counts', () => {
    const html = renderHtml(MetricsSection({ view: view([]) }));
    assert.equal(card(html, 'Delivery rate'), '—');
    assert.equal(card(html, 'Latency p95'), '—');
    assert.equal(card(html, 'Delivered'), '0');
    assert.equal(card(html, 'Not delivered'), '0');
  });
});
