import type { DeliveryPlanner, DeliveryWrite, PlanStateKeys, PlanWrites, SyncRecord } from '../store/delivery-types.js';
import { devicePerson, planStateKey, userPerson } from '../store/state-keys.js';
import { MetricDeltas, type MetricDelta } from '../metrics/delivery-metrics.js';
import { planDeliveries, type PlannedOutcome, type SyncPersonState } from '../sync/plan-deliveries.js';
import type { SyncConfig } from '../sync/sync-schema.js';

function syncsByProject(syncs: readonly SyncRecord[]): Map<number, SyncRecord[]> {
  const byProject = new Map<number, SyncRecord[]>();
  for (const sync of syncs) {
    const list = byProject.get(sync.projectId) ?? [];
    list.push(sync);
    byProject.set(sync.projectId, list);
  }
  return byProject;
}

/**
 * What one planned outcome adds to the sync's counters: every outcome is planned (so planned =
 * delivered + not delivered + discarded + pending); discards and items too large to send are
 * settled at once; and the cuts.
 */
function countPlanned(delta: MetricDelta, outcome: Exclude<PlannedOutcome, { kind: 'filtered_out' }>): void {
  delta.planned++;
  if (outcome.kind === 'discarded') delta.discarded++;
  else if (outcome.kind === 'unsendable') delta.dead++;
  for (const adjustment of outcome.adjustments) {
    if (adjustment.kind === 'event_name_cut') delta.namesCut++;
    else if (adjustment.kind === 'value_cut') delta.valuesCut++;
    else delta.attributesDropped++;
  }
}

/**
 * The planning half of an ingest commit: for every stored event and every enabled sync of its
 * project, `planDeliveries` decides the items; this keeps the syncs' per-person and per-device
 * state across the batch and turns outcomes into delivery rows. When an identify merges a device's
 * anonymous activity into a user, the device's pending deliveries (stored ones through the store,
 * ones planned earlier in this batch here) move to the user, so the merge goes out after them. An
 * event of a user with an identifier also merges the other devices linked to that user whose
 * anonymous activity is pending (a server-side identify usually has no device_id).
 */
export const deliveryPlanner: DeliveryPlanner = {
  stateKeys(events, syncs): PlanStateKeys {
    const byProject = syncsByProject(syncs);
    const keys: PlanStateKeys = { persons: [], devices: [], users: [] };
    for (const event of events) {
      for (const sync of byProject.get(event.projectId) ?? []) {
        keys.persons.push({ syncId: sync.id, personKey: event.personKey });
        if (event.deviceId !== null) keys.devices.push({ syncId: sync.id, deviceId: event.deviceId });
        if (event.userId !== null) keys.users.push({ syncId: sync.id, projectId: event.projectId, userId: event.userId });
      }
    }
    return keys;
  },

  plan(events, syncs, state, now): PlanWrites {
    const byProject = syncsByProject(syncs);
    const writes: PlanWrites = { deliveries: [], metrics: [], failures: [], persons: [], devices: [], rekeys: [] };
    const deltas = new MetricDeltas();
    const persons = new Map<string, { syncId: number; personKey: string; state: SyncPersonState }>();
    const devices = new Map<string, { syncId: number; deviceId: string; state: 'pending' | 'merged' }>();
    for (const event of events) {
      for (const sync of byProject.get(event.projectId) ?? []) {
        const personKey = planStateKey(sync.id, event.personKey);
        const deviceKey = event.deviceId === null ? undefined : planStateKey(sync.id, event.deviceId);
        const linkedKey = event.userId === null ? undefined : planStateKey(sync.id, userPerson(event.userId));
        const linked = linkedKey === undefined ? undefined : state.linkedDevices.get(linkedKey);
        const result = planDeliveries({
          sync: sync.config as unknown as SyncConfig,
          event,
          person: state.persons.get(personKey),
          anonymousDevicePending: deviceKey !== undefined && state.devices.get(deviceKey) === 'pending',
          linkedPendingDevices: [...(linked ?? [])].filter((d) => d !== event.deviceId && state.devices.get(planStateKey(sync.id, d)) === 'pending'),
          now,
        });
        if (result.person !== undefined) {
          state.persons.set(personKey, result.person);
          persons.set(personKey, { syncId: sync.id, personKey: event.personKey, state: result.person });
        }
        const deviceStates: Array<[string, 'pending' | 'merged']> = [];
        if (result.anonymousDevice !== undefined && event.deviceId !== null) deviceStates.push([event.deviceId, result.anonymousDevice]);
        for (const device of result.mergedDevices ?? []) deviceStates.push([device, 'merged']);
        for (const [deviceId, deviceState] of deviceStates) {
          const key = planStateKey(sync.id, deviceId);
          state.devices.set(key, deviceState);
          devices.set(key, { syncId: sync.id, deviceId, state: deviceState });
          if (linkedKey !== undefined) {
            // a device event with a user_id is the user's linked device: remember it pending for a later merge
            const set = state.linkedDevices.get(linkedKey) ?? new Set<string>();
            if (deviceState === 'pending') set.add(deviceId);
            else set.delete(deviceId);
            state.linkedDevices.set(linkedKey, set);
          }
          const from = devicePerson(deviceId);
          if (deviceState === 'merged' && from !== event.personKey) {
            writes.rekeys.push({ syncId: sync.id, from, to: event.personKey });
            for (const earlier of writes.deliveries) {
              if (earlier.syncId === sync.id && earlier.person === from) earlier.person = event.personKey;
            }
          }
        }
        for (const outcome of result.outcomes) {
          if (outcome.kind === 'filtered_out') continue;
          countPlanned(deltas.at(sync.id, event.receivedAt), outcome);
          const base = { syncId: sync.id, eventSeq: event.seq, person: event.personKey, action: outcome.action, cuts: outcome.adjustments.length, createdAt: event.receivedAt };
          const write: DeliveryWrite =
            outcome.kind === 'delivery'
              ? { ...base, itemJson: JSON.stringify(outcome.item), status: 'pending', reason: null }
              : { ...base, itemJson: null, status: outcome.kind === 'unsendable' ? 'dead' : 'discarded', reason: outcome.reason };
          writes.deliveries.push(write);
          if (outcome.kind === 'unsendable') {
            writes.failures.push({
              syncId: sync.id,
              category: 'item_too_large',
              reason: "over Customer.io's 32 KB item limit",
              at: now,
              count: 1,
              sample: { item: { action: outcome.action, event_type: event.eventType, insert_id: event.insertId }, reply: { status: null, body: outcome.reason } },
            });
          }
        }
      }
    }
    writes.metrics.push(...deltas.byKey.values());
    writes.persons.push(...persons.values());
    writes.devices.push(...devices.values());
    return writes;
  },
};
