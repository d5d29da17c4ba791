import { getOwn } from '../amplitude/plain-data.js';
import { readDeliveryError, readStoredItem } from '../store/delivery-error.js';
import type { AttemptRecord, DeliveryRecord, SyncRecord } from '../store/delivery-types.js';
import type { StoredEvent } from '../store/types.js';
import { resolveIdentifier } from '../sync/identifier.js';
import { planDeliveries } from '../sync/plan-deliveries.js';
import type { SyncConfig } from '../sync/sync-schema.js';

/** One step of an event's life. Times are ISO-8601. */
export type TraceStep =
  | { step: 'planned'; at: string; delivery_id: number; action: string; item: unknown; cuts: number }
  | { step: 'discarded'; at: string; delivery_id: number; action: string; reason: string }
  | { step: 'attempt'; at: string; delivery_id: number; outcome: AttemptRecord['outcome']; status: number | null; message?: string }
  | { step: 'delivered'; at: string; delivery_id: number }
  | { step: 'dead_lettered'; at: string; delivery_id: number; cause: string; error: unknown; dropped_at: string | null }
  | { step: 'waiting'; delivery_id: number; next_attempt_at: string; attempts: number }
  | { step: 'filtered_out'; reason: string }
  | { step: 'not_planned'; reason: string };

export interface SyncTrace {
  sync_id: number;
  name: string;
  steps: TraceStep[];
}

export interface EventTrace {
  seq: number;
  project_id: number;
  insert_id: string;
  event_type: string;
  time: number;
  user_id: string | null;
  device_id: string | null;
  person: string;
  ingested: { at: string; request_id: string; source: string };
  syncs: SyncTrace[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function deliverySteps(d: DeliveryRecord): TraceStep[] {
  const steps: TraceStep[] = [];
  if (d.status === 'discarded') {
    return [{ step: 'discarded', at: iso(d.createdAt), delivery_id: d.id, action: d.action, reason: d.reason ?? '' }];
  }
  steps.push({ step: 'planned', at: iso(d.createdAt), delivery_id: d.id, action: d.action, item: readStoredItem(d.itemJson), cuts: d.cuts });
  for (const attempt of d.history) {
    steps.push({
      step: 'attempt',
      at: iso(attempt.at),
      delivery_id: d.id,
      outcome: attempt.outcome,
      status: attempt.status,
      ...(attempt.message === undefined ? {} : { message: attempt.message }),
    });
  }
  if (d.status === 'delivered') steps.push({ step: 'delivered', at: iso(d.deliveredAt ?? d.createdAt), delivery_id: d.id });
  else if (d.status === 'dead') {
    steps.push({
      step: 'dead_lettered',
      at: iso(d.deadAt ?? d.createdAt),
      delivery_id: d.id,
      cause: d.reason ?? 'unknown',
      error: readDeliveryError(d.lastError),
      dropped_at: d.droppedAt === null ? null : iso(d.droppedAt),
    });
  } else steps.push({ step: 'waiting', delivery_id: d.id, next_attempt_at: iso(d.nextAttemptAt), attempts: d.attempts });
  return steps;
}

/**
 * Why a sync planned nothing for an event: it did not exist or was disabled then, or its
 * selection had nothing to send. The event is planned again with the sync's current settings
 * (as for a person already seen): if that sends nothing either, the reason is the selection's.
 */
function nothingPlanned(event: StoredEvent, sync: SyncRecord): TraceStep {
  if (sync.createdAt > event.receivedAt) {
    return { step: 'not_planned', reason: 'the sync was created after this event was ingested (syncs see only events ingested while enabled)' };
  }
  const config = sync.config as unknown as SyncConfig;
  const outcomes = planDeliveries({ sync: config, event, person: { identified: true }, anonymousDevicePending: false, now: event.receivedAt }).outcomes;
  const filtered = outcomes.find((o) => o.kind === 'filtered_out');
  if (outcomes.length > 0 && outcomes.every((o) => o.kind === 'filtered_out') && filtered !== undefined) {
    return { step: 'filtered_out', reason: `${filtered.reason} (by the sync's current selection)` };
  }
  if (!sync.enabled) return { step: 'not_planned', reason: 'the sync is disabled (it plans nothing for events ingested while disabled)' };
  if (outcomes.length > 0) {
    return { step: 'not_planned', reason: 'the sync was disabled when this event was ingested (its current settings would send something for it)' };
  }
  return { step: 'not_planned', reason: `nothing had to be sent: ${whyNothingToSend(event, config)}` };
}

/** Why the current settings send nothing for an event (only identifies get here: other events always have an outcome). */
function whyNothingToSend(event: StoredEvent, config: SyncConfig): string {
  if (!config.send_users.enabled) return 'Send Users is off, and identifies are never sent as events';
  if (getOwn(event.payload, '$skip_user_properties_sync') === true) return 'the event left the profile alone ($skip_user_properties_sync)';
  if (resolveIdentifier(config.identifier, event) === null) {
    const source = config.identifier.from === 'user_id' ? 'user_id' : `user property ${config.identifier.name}`;
    return `the person has no identifier (${source}), so Customer.io cannot be addressed`;
  }
  return 'this identify changed none of the properties Send Users selects';
}

/** An event's life per sync of its project, from the stored event and its delivery rows (pure). */
export function traceEvent(event: StoredEvent, syncs: readonly SyncRecord[], deliveries: readonly DeliveryRecord[]): EventTrace {
  return {
    seq: event.seq,
    project_id: event.projectId,
    insert_id: event.insertId,
    event_type: event.eventType,
    time: event.time,
    user_id: event.userId,
    device_id: event.deviceId,
    person: event.personKey,
    ingested: { at: iso(event.receivedAt), request_id: event.requestId, source: event.source },
    syncs: syncs
      .filter((s) => s.projectId === event.projectId)
      .map((sync) => {
        const rows = deliveries.filter((d) => d.syncId === sync.id && d.eventSeq === event.seq);
        return {
          sync_id: sync.id,
          name: String((sync.config as { name?: unknown }).name ?? ''),
          steps: rows.length === 0 ? [nothingPlanned(event, sync)] : rows.flatMap(deliverySteps),
        };
      }),
  };
}
