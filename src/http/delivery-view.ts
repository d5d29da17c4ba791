import { readDeliveryError, readStoredItem } from '../store/delivery-error.js';
import type { DeliveryRecord } from '../store/delivery-types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery as the admin API shows it: the item sent (or meant to be), its fate, why, and its requests. */
export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    event_seq: d.eventSeq,
    person: d.person,
    action: d.action,
    status: d.status,
    reason: d.reason,
    attempts: d.attempts,
    sends: d.sends,
    replays: d.replays,
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    created_at: iso(d.createdAt),
    delivered_at: iso(d.deliveredAt),
    dead_at: d.status === 'dead' ? iso(d.deadAt ?? d.createdAt) : null,
    dropped_at: iso(d.droppedAt),
    error: readDeliveryError(d.lastError),
    history: d.history.map((h) => ({ ...h, at: iso(h.at) })),
    item: readStoredItem(d.itemJson),
  };
}
