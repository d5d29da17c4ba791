import { addOutcome, MetricDeltas } from '../../metrics/delivery-metrics.js';
import type { DeliveryResult, MetricIncrement } from '../../store/delivery-types.js';
import type { QueuedDelivery } from './delivery-queue.js';

/** What a batch's results add to the sync's delivery metrics. */
export function metricIncrementsFor(syncId: number, items: readonly QueuedDelivery[], results: readonly DeliveryResult[]): MetricIncrement[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const deltas = new MetricDeltas();
  for (const result of results) {
    const item = byId.get(result.id);
    if (item === undefined) continue;
    addOutcome(deltas, {
      syncId,
      kind: result.kind,
      at: result.at,
      createdAt: item.createdAt,
      sendsBefore: item.sends,
      sent: true,
      expired: result.kind === 'dead' && result.cause === 'expired',
    });
  }
  return [...deltas.byKey.values()];
}
