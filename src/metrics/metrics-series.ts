import { percentileMs, type MetricDelta } from './delivery-metrics.js';

/** One point of a sync's time series, for charts. */
export interface SeriesPoint {
  start: string;
  planned: number;
  delivered: number;
  failed: number;
  discarded: number;
  expired: number;
  retried: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  values_cut: number;
  names_cut: number;
  attributes_dropped: number;
}

export function seriesPoint(start: number, delta: MetricDelta): SeriesPoint {
  const p = (q: number) => {
    const value = percentileMs(delta.latency, q);
    return value === undefined ? null : Math.round(value);
  };
  return {
    start: new Date(start).toISOString(),
    planned: delta.planned,
    delivered: delta.delivered,
    failed: delta.dead,
    discarded: delta.discarded,
    expired: delta.expired,
    retried: delta.retried,
    latency_ms: { p50: p(0.5), p95: p(0.95), p99: p(0.99) },
    values_cut: delta.valuesCut,
    names_cut: delta.namesCut,
    attributes_dropped: delta.attributesDropped,
  };
}
