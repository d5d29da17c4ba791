import type { JsonObject } from '../amplitude/plain-data.js';
import type { MetricDelta } from '../metrics/delivery-metrics.js';
import type { DeliveryError } from './delivery-error.js';
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
  /** 1 when created, one more on every saved change of the config or the enabled flag (a pause is not one). */
  revision: number;
}

/** What an update of a sync did: saved it, found no such sync, or found it at another revision than expected (nothing saved). */
export type SyncUpdate = { kind: 'updated'; sync: SyncRecord } | { kind: 'missing' } | { kind: 'stale'; current: SyncRecord };

export interface NewSync {
  projectId: number;
  enabled: boolean;
  config: JsonObject;
  createdAt: number;
}

/** A saved sync's new config and enabled flag, as `updateSync` takes them. */
export interface SyncChange {
  id: number;
  config: JsonObject;
  enabled: boolean;
  updatedAt: number;
  expectedRevision?: number | undefined;
}

/** What `saveSyncs` did: saved every change, or none because this sync is missing or at another revision. */
export type SyncsSaved =
  | { kind: 'saved'; created: SyncRecord[]; updated: SyncRecord[] }
  | { kind: 'missing'; id: number }
  | { kind: 'stale'; current: SyncRecord };

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
  /** Users whose linked devices' pending anonymous activity may merge (the store loads them into `linkedDevices`). */
  users: { syncId: number; projectId: number; userId: string }[];
}

export interface PlanState {
  /** `planStateKey(syncId, personKey)` → state, for persons the sync has seen. */
  persons: Map<string, SyncPersonState>;
  /** `planStateKey(syncId, deviceId)` → state, for devices with anonymous activity. */
  devices: Map<string, AnonymousDeviceState>;
  /**
   * `planStateKey(syncId, userPerson(userId))` → the devices linked to that user whose anonymous
   * activity the sync sent and has not merged (their `devices` entries are 'pending' too).
   */
  linkedDevices: Map<string, Set<string>>;
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

/** What some outcomes add to a sync's counters in one minute (the store adds it to the minute and the hour). */
export interface MetricIncrement {
  syncId: number;
  minute: number;
  delta: MetricDelta;
}

export interface PlanWrites {
  deliveries: DeliveryWrite[];
  metrics: MetricIncrement[];
  /** Items too large to ever send, as failure samples (category item_too_large). */
  failures: FailureSample[];
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
  /** Requests that carried it so far (attempts plus requests that did not count: 429s, pauses). */
  sends: number;
  nextAttemptAt: number;
  createdAt: number;
}

/** One request that carried a delivery, as its history shows it. */
export interface AttemptRecord {
  at: number;
  /**
   * delivered, rejected (by Customer.io, for good), failed (will retry), expired, rate_limited,
   * paused; or replayed: no request, the dead letter was made pending again (status null).
   */
  outcome: 'delivered' | 'rejected' | 'failed' | 'expired' | 'rate_limited' | 'paused' | 'replayed';
  status: number | null;
  message?: string;
}

/** What became of one delivery after a request carried it. */
export type DeliveryResult = { id: number; at: number; countsAttempt: boolean; attempt: AttemptRecord } & (
  | { kind: 'delivered' }
  | { kind: 'retry'; nextAttemptAt: number; error: DeliveryError }
  | { kind: 'dead'; cause: 'rejected' | 'expired'; error: DeliveryError }
);

/** Failures of one class and reason, with recent samples (the item sent and Customer.io's reply). */
export interface FailureSample {
  syncId: number;
  /** bad_credentials, wrong_region, rate_limited, item_too_large, invalid_attribute, server_error, … */
  category: string;
  reason: string;
  at: number;
  /** How many items this adds. */
  count: number;
  sample: { item: unknown; reply: { status: number | null; body: string } };
}

export interface FailureGroup {
  category: string;
  reason: string;
  count: number;
  firstAt: number;
  lastAt: number;
  samples: FailureSample['sample'][];
}

/** Which dead letters an operation applies to: some ids, or by cause and time range (of death). */
export interface DeadLetterSelection {
  ids?: number[];
  cause?: 'rejected' | 'expired' | 'too_large';
  from?: number;
  to?: number;
}

export interface ReplayResult {
  /** Deliveries pending again, to be sent now. */
  replayed: PendingDelivery[];
  /** Dead letters not replayed, and why. */
  skipped: { id: number; reason: string }[];
}

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
  /** The last error as stored: JSON text of a DeliveryError (plain text in rows of older versions); read it with readDeliveryError. */
  lastError: string | null;
  sends: number;
  history: AttemptRecord[];
  deadAt: number | null;
  droppedAt: number | null;
  replays: number;
  cuts: number;
}

export interface DeliveryCounts {
  pending: number;
  delivered: number;
  dead: number;
  discarded: number;
}
