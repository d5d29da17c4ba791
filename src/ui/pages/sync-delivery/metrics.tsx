/** The delivery page's metrics: a period's summary (as the metrics summary API computes it) in figures, and its charts. */
import { emptyDelta, HOUR_MS, MINUTE_MS } from '../../../metrics/delivery-metrics.js';
import { seriesPoint } from '../../../metrics/metrics-series.js';
import { resolvePeriod, summarize, type MetricsSummary, type PeriodRange } from '../../../metrics/metrics-summary.js';
import { DeliveryChart, LatencyChart, type ChartFrame, type CountPoint, type LatencyPoint } from '../../charts.js';
import { formatCount, formatRate, formatSeconds, formatTime } from '../../format.js';
import type { UiDependencies } from '../../ui-context.js';
import { PERIOD_LABELS, type Period } from './period.js';

export interface MetricsView {
  period: Period;
  range: PeriodRange;
  summary: MetricsSummary;
  frame: ChartFrame;
  counts: CountPoint[];
  latency: LatencyPoint[];
}

/** The summary (as the metrics summary API computes it) and a point per bucket of the period, empty buckets included. */
export async function loadMetrics(deps: UiDependencies, syncId: number, period: Period): Promise<MetricsView> {
  const range = resolvePeriod(period, deps.clock());
  const buckets = await deps.store.metricBuckets(syncId, range.granularity, range.start, range.end);
  const unit = range.granularity === 'minute' ? MINUTE_MS : HOUR_MS;
  const byStart = new Map(buckets.map((b) => [b.start, b.delta]));
  const counts: CountPoint[] = [];
  const latency: LatencyPoint[] = [];
  for (let start = range.start; start < range.end; start += unit) {
    const point = seriesPoint(start, byStart.get(start) ?? emptyDelta());
    counts.push({ start, delivered: point.delivered, failed: point.failed });
    latency.push({ start, ...point.latency_ms });
  }
  return {
    period,
    range,
    summary: summarize(range, buckets.map((b) => b.delta)),
    frame: { id: 'chart', from: range.start, to: Math.ceil(range.end / unit) * unit, bucketMs: unit },
    counts,
    latency,
  };
}

/** One figure of the summary: its label, its value, and what it counts where that needs saying. */
function SummaryFigure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div class="card">
      <dt class="label">{label}</dt>
      <dd class="value">{value}</dd>
      {note !== undefined && <dd class="hint">{note}</dd>}
    </div>
  );
}

export function MetricsSection({ view }: { view: MetricsView }) {
  const s = view.summary;
  const unit = view.range.granularity;
  return (
    <section id="delivery-metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">
        {PERIOD_LABELS[view.period]}: {formatTime(view.range.start)} to {formatTime(view.range.end)}
      </h2>
      <dl class="cards">
        <SummaryFigure label="Delivered" value={formatCount(s.eventsDelivered)} />
        <SummaryFigure label="Not delivered" value={formatCount(s.eventsNotDelivered)} note="dead-lettered, expired included" />
        {/* the API answers a rate of 1 when nothing settled (Amplitude's convention) and a latency
            of 0 when nothing was delivered; a person reads "—" for both */}
        <SummaryFigure label="Delivery rate" value={formatRate(s.eventsDelivered + s.eventsNotDelivered === 0 ? null : s.deliveryRate)} />
        <SummaryFigure label="Latency p95" value={formatSeconds(s.eventsDelivered === 0 ? null : s.latencyInSeconds)} note="ingest to delivered" />
        <SummaryFigure label="First attempt" value={formatCount(s.successOnFirstAttempt)} />
        <SummaryFigure label="After a retry" value={formatCount(s.successAfterRetry)} />
        <SummaryFigure label="Expired" value={formatCount(s.eventsExpired)} />
        <SummaryFigure label="Discarded" value={formatCount(s.eventsDiscarded)} note="nothing to send (no identifier)" />
      </dl>
      <p class="hint">
        The same figures as <code>GET /api/2/event-streaming/delivery-metrics-summary?sync_id=…&amp;time_period={view.period}</code>. Counted per {unit}
        {unit === 'hour' ? ' (periods over 4 hours start on the hour)' : ''}.
      </p>
      <div class="charts">
        <DeliveryChart {...view.frame} id="chart-delivered" points={view.counts} />
        <LatencyChart {...view.frame} id="chart-latency" points={view.latency} />
      </div>
    </section>
  );
}
