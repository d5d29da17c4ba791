import type { JsonObject } from '../amplitude/plain-data.js';
import type { EventRecord, PersonKey } from './types.js';

/** Why a sync is not sending: a configuration problem Customer.io reported (bad credentials, wrong region). */
export interface SyncPause {
  reason: string;
  /** The outcome's problem code (`credentials_rejected`, `wrong_region`, …). */
  problem: string;
  since: number;
}

/** A sync as stored. `config` is the sync's JSON (see src/sync/), secrets included; never shown as is. */
export interface SyncRecord {
  id: number;
  projectId: number;
  enabled: boolean;
  config: JsonObject;
  /** Set while a configuration problem holds the sync's deliveries. */
  pause: SyncPause | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewSync {
  projectId: number;
  enabled: boolean;
  config: JsonObject;
  createdAt: number;
}

/** The per-(sync, person) state planning keeps: whether Send Users has identified the person. */
export interface SyncPersonState {
  identified: boolean;
}

/** Anonymous activity of a device, per sync: sent and not yet merged, or merged into a person. */
export type AnonymousDeviceState = 'pending' | 'merged';

/** A stored event with its position in the log, as planning sees it. */
export interface PlannableEvent extends EventRecord {
  seq: number;
}

export interface PlanStateKeys {
  persons: { syncId: number; personKey: PersonKey }[];
  devices: { syncId: number; deviceId: string }[];
}

export interface PlanState {
  /** `planStateKey(syncId, personKey)` → state, for persons the sync has seen. */
  persons: Map<string, SyncPersonState>;
  /** `planStateKey(syncId, deviceId)` → state, for devices with anonymous activity. */
  devices: Map<string, AnonymousDeviceState>;
}

export type DeliveryAction = 'event' | 'identify';

/** One planned outcome to store: an item to send, or an item that will never be sent and why. */
export interface DeliveryWrite {
  syncId: number;
  eventSeq: number;
  /** Ordering key: one person's deliveries go out in id order. */
  person: PersonKey;
  action: DeliveryAction;
  /** The Track API item as JSON text; null when it can never be sent. */
  itemJson: string | null;
  /** `discarded`: nothing to send (no identifier); `dead`: too large to ever send (dead-lettered at once). */
  status: 'pending' | 'discarded' | 'dead';
  /** Why it is discarded or dead (Customer.io's limit it breaks); null for pending deliveries. */
  reason: string | null;
  /** How many values were cut or left out to fit Customer.io's limits. */
  cuts: number;
  createdAt: number;
}

/** Pending deliveries of a device move to the user it was merged into, so the merge waits for them. */
export interface PersonRekey {
  syncId: number;
  from: PersonKey;
  to: PersonKey;
}

export interface PlanWrites {
  deliveries: DeliveryWrite[];
  persons: { syncId: number; personKey: PersonKey; state: SyncPersonState }[];
  devices: { syncId: number; deviceId: string; state: AnonymousDeviceState }[];
  rekeys: PersonRekey[];
}

/** The planning half of an ingest commit (optional: ingest works without syncs). */
export interface DeliveryPlanner {
  stateKeys(events: readonly PlannableEvent[], syncs: readonly SyncRecord[]): PlanStateKeys;
  plan(events: readonly PlannableEvent[], syncs: readonly SyncRecord[], state: PlanState, now: number): PlanWrites;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'discarded';

/** A pending delivery as the delivery engine reads it. */
export interface PendingDelivery {
  id: number;
  syncId: number;
  person: PersonKey;
  action: DeliveryAction;
  itemJson: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
}

/** What became of one delivery after an attempt. */
export type DeliveryResult =
  | { id: number; kind: 'delivered'; at: number; countsAttempt: boolean }
  | { id: number; kind: 'retry'; at: number; nextAttemptAt: number; countsAttempt: boolean; error: string }
  | { id: number; kind: 'dead'; at: number; cause: 'rejected' | 'expired' | 'too_large'; error: string; countsAttempt: boolean };

/** A stored delivery, for inspection. */
export interface DeliveryRecord {
  id: number;
  syncId: number;
  eventSeq: number;
  person: PersonKey;
  action: DeliveryAction;
  itemJson: string | null;
  status: DeliveryStatus;
  reason: string | null;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export interface DeliveryCounts {
  pending: number;
  delivered: number;
  dead: number;
  discarded: number;
}
