import type { AcceptedEvent } from '../amplitude/event-validation.js';
import type { JsonObject } from '../amplitude/plain-data.js';
import type { PropertyChange } from '../amplitude/user-property-operations.js';
import type { MetricDelta } from '../metrics/delivery-metrics.js';
import type {
  DeliveryCounts,
  DeliveryPlanner,
  DeliveryRecord,
  DeliveryResult,
  DeadLetterSelection,
  FailureGroup,
  FailureSample,
  MetricIncrement,
  NewSync,
  PendingDelivery,
  PersonRekey,
  ReplayResult,
  SyncPause,
  SyncChange,
  SyncRecord,
  SyncsSaved,
  SyncUpdate,
} from './delivery-types.js';

/** A project: a name and an ingestion API key (stored only as a hash; shown once at creation). */
export interface Project {
  id: number;
  name: string;
  /** The key's last four characters, so people can tell keys apart. */
  apiKeyHint: string;
  createdAt: number;
}

export interface NewProject {
  name: string;
  apiKeyHash: string;
  apiKeyHint: string;
  createdAt: number;
}

/** Which ingestion API a request came through. */
export type IngestSource = 'httpapi' | 'batch' | 'identify';

/** An event ready to commit: validated, with an insert_id (generated when the client sent none). */
export interface IngestEvent extends AcceptedEvent {
  insertId: string;
  insertIdGenerated: boolean;
}

/** One request's events: they commit together or not at all. */
export interface IngestUnit {
  projectId: number;
  source: IngestSource;
  requestId: string;
  receivedAt: number;
  events: IngestEvent[];
}

/** What became of one unit's events. */
export interface UnitOutcome {
  /** Events in the request (duplicates included: to the client they were ingested). */
  accepted: number;
  /** Events already seen with the same insert_id within the dedupe window: not stored again. */
  duplicates: number;
}

/** A person is a user (`user:<user_id>`) or, for device-only traffic, a device (`device:<device_id>`). */
export type PersonKey = string;

/** The state an ingest batch reads; the store loads it for the keys the batch names. */
export interface IngestState {
  /** Dedupe keys (see `dedupeKey`) of events stored within the window: the event log is the record of what was seen. */
  seenInsertIds: Set<string>;
  /** `deviceKey` → the user the device is linked to. */
  deviceLinks: Map<string, string>;
  /** `profileKey` → the profile's properties, for profiles that exist. */
  profiles: Map<string, JsonObject>;
}

export interface DedupeRef {
  projectId: number;
  /** `''` when the event has no device_id. */
  deviceId: string;
  insertId: string;
}

export interface DeviceRef {
  projectId: number;
  deviceId: string;
}

export interface PersonRef {
  projectId: number;
  personKey: PersonKey;
}

/** The keys a batch needs loaded before it can be processed. */
export interface IngestStateKeys {
  insertIds: DedupeRef[];
  /** An insert_id seen at or after this time (ms) is a duplicate; older sightings are forgotten. */
  insertIdsSeenSince: number;
  devices: DeviceRef[];
  /** Persons named directly by the events; the users that loaded device links point to are added by the store. */
  persons: PersonRef[];
}

/** One event log row to write. */
export interface EventRecord {
  projectId: number;
  receivedAt: number;
  requestId: string;
  source: IngestSource;
  insertId: string;
  insertIdGenerated: boolean;
  eventType: string;
  time: number;
  /** The sent user_id, or the user the device is linked to. */
  userId: string | null;
  deviceId: string | null;
  personKey: PersonKey;
  /** The event as received (strings cut to Amplitude's limit). */
  payload: JsonObject;
  /** The user properties the event carries: the profile after this event's operations. */
  userProperties: JsonObject;
  /** Properties this event changed on the profile; null when none changed. */
  changes: Record<string, PropertyChange> | null;
  /** True when this event created the person's profile. */
  firstSeen: boolean;
}

export interface ProfileWrite {
  projectId: number;
  personKey: PersonKey;
  properties: JsonObject;
  updatedAt: number;
}

export interface DeviceLinkWrite {
  projectId: number;
  deviceId: string;
  userId: string;
  linkedAt: number;
}

/** The kinds of names a project's catalog keeps. */
export type CatalogKind = 'event_type' | 'event_property' | 'user_property';

/** A name a stored event carried, and when it was seen (the request's receive time, ms). */
export interface CatalogName {
  projectId: number;
  kind: CatalogKind;
  name: string;
  seenAt: number;
}

/** What a project's ingest has seen, for pickers: each list sorted by name (UTF-16 code units). */
export interface ProjectCatalog {
  eventTypes: string[];
  eventProperties: string[];
  userProperties: string[];
}

/** Everything an ingest batch writes, in one transaction. */
export interface IngestWrites {
  events: EventRecord[];
  profiles: ProfileWrite[];
  deviceLinks: DeviceLinkWrite[];
  outcomes: UnitOutcome[];
  /**
   * The names the stored events carried, each (project, kind, name) once with the latest time it
   * was seen; the store records those it does not hold yet, within its limits (catalog-cache.ts).
   */
  catalog: CatalogName[];
}

/** A committed ingest transaction. */
export interface IngestCommitted {
  outcomes: UnitOutcome[];
  /** Syncs that got new pending deliveries (their delivery workers should wake up). */
  plannedSyncs: number[];
  /** Pending deliveries that moved from a device to a user (anonymous activity merged). */
  rekeys: PersonRekey[];
  /** Resolves when the transaction is durable; rejects if it could not be made durable. */
  durable: Promise<void>;
}

/** The pure half of an ingest commit: which state to load, and what to write given that state. */
export interface IngestProcessor {
  stateKeys(units: readonly IngestUnit[]): IngestStateKeys;
  process(units: readonly IngestUnit[], state: IngestState): IngestWrites;
  /** Plans deliveries for the projects' enabled syncs, in the same transaction. */
  planner?: DeliveryPlanner;
}

/** A stored metric bucket: its start (ms) and counters. */
export interface MetricBucket {
  start: number;
  delta: MetricDelta;
}

/** A stored event, as read back. */
export interface StoredEvent extends EventRecord {
  seq: number;
}

export interface EventQuery {
  projectId?: number;
  userId?: string;
  deviceId?: string;
  insertId?: string;
  /** Only events with seq greater than this. */
  afterSeq?: number;
  limit: number;
}

export interface StoredProfile {
  projectId: number;
  personKey: PersonKey;
  properties: JsonObject;
  createdAt: number;
  updatedAt: number;
}

/** One async contract for every store. SQL lives only inside the adapters. */
export interface Store {
  /** Which engine this is, for startup messages ("sqlite", "postgres"). */
  readonly kind: string;
  /** Where the data lives, for startup messages (never contains a password). */
  readonly location: string;

  createProject(project: NewProject): Promise<Project>;
  listProjects(): Promise<Project[]>;
  findProjectByApiKeyHash(apiKeyHash: string): Promise<Project | undefined>;
  getProject(id: number): Promise<Project | undefined>;

  /**
   * Commits a group of requests in one transaction: loads the state the processor names, runs it,
   * writes the result. Either every unit is committed or none is (the promise rejects). The promise
   * resolves once the transaction is committed (later commits see it, in order); `durable` resolves
   * once it is on disk, and only then may the requests be acknowledged.
   */
  commitIngest(units: readonly IngestUnit[], processor: IngestProcessor): Promise<IngestCommitted>;

  findEvents(query: EventQuery): Promise<StoredEvent[]>;
  getProfile(projectId: number, personKey: PersonKey): Promise<StoredProfile | undefined>;
  /** The user a device is linked to, if any. */
  getDeviceLink(projectId: number, deviceId: string): Promise<string | undefined>;
  countEvents(projectId?: number): Promise<number>;
  /**
   * The event types and event and user property names the project's committed events carried
   * (see `catalogNames`), within the catalog limits; empty lists for an unknown project.
   */
  catalog(projectId: number): Promise<ProjectCatalog>;

  createSync(sync: NewSync): Promise<SyncRecord>;
  listSyncs(projectId?: number): Promise<SyncRecord[]>;
  getSync(id: number): Promise<SyncRecord | undefined>;
  /**
   * Replaces a sync's config and enabled flag and moves its revision on; a config change clears a
   * pause. With `expectedRevision`, only when the sync is still at that revision (checked and
   * written at once); otherwise nothing changes and the answer is `stale` with the sync as it is.
   */
  updateSync(id: number, change: { config: JsonObject; enabled: boolean; updatedAt: number; expectedRevision?: number | undefined }): Promise<SyncUpdate>;
  /**
   * Creates and changes several syncs in one transaction (a config file applied at start): the
   * creations, then the changes, each as `createSync` and `updateSync` do. Either all are saved or,
   * when a sync to change is missing or not at its `expectedRevision`, none is (the answer names it).
   */
  saveSyncs(changes: { create: readonly NewSync[]; update: readonly SyncChange[] }): Promise<SyncsSaved>;
  /**
   * Deletes a sync with its deliveries and state; false when there is no such sync. With
   * `expectedRevision`, only when the sync is still at that revision (checked and deleted at once);
   * otherwise nothing is deleted and the answer is false too (`getSync` tells the two apart).
   */
  deleteSync(id: number, expectedRevision?: number): Promise<boolean>;
  /** Sets or clears the pause of a sync (a configuration problem holds its deliveries). */
  setSyncPause(id: number, pause: SyncPause | null): Promise<void>;

  /**
   * Pending deliveries of a sync with id above `afterId`, in id order. `sends` counts a first request
   * that was started (`markSending`) but whose result was never recorded (the process died).
   */
  pendingDeliveries(syncId: number, afterId: number, limit: number): Promise<PendingDelivery[]>;
  /**
   * Records, before a request carries them, that these deliveries never sent before are being sent
   * (one statement per batch; done before the request so a crash cannot hide it): after a restart
   * they count as sent once, so their delivery counts as after a retry.
   */
  markSending(syncId: number, ids: readonly number[], at: number): Promise<void>;
  /** Records what became of a sync's deliveries after a request, with what it adds to metrics and failure samples, in one transaction. */
  recordDeliveryResults(
    syncId: number,
    results: readonly DeliveryResult[],
    metrics: readonly MetricIncrement[],
    failures: readonly FailureSample[],
  ): Promise<void>;
  /** A sync's metric buckets of one granularity with start in [from, to). */
  metricBuckets(syncId: number, granularity: 'minute' | 'hour', from: number, to: number): Promise<MetricBucket[]>;
  /** Forgets minute buckets before `minutesBefore` and hour buckets before `hoursBefore`. */
  pruneMetrics(minutesBefore: number, hoursBefore: number): Promise<void>;
  failureGroups(syncId: number): Promise<FailureGroup[]>;
  findDeliveries(query: { syncId?: number; eventSeq?: number; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]>;
  /**
   * Dead letters of a sync not dropped, within the selection, oldest death first (by id at the same
   * time): `afterId` 0 for the first page, else the id of the last letter of the previous page.
   */
  listDeadLetters(syncId: number, selection: DeadLetterSelection, afterId: number, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Makes selected dead letters pending again with the same items (event ids unchanged), and takes
   * them out of the not-delivered counters. An identify is skipped when a newer identify of the
   * person was delivered since; otherwise it carries `now` as its timestamp.
   */
  replayDeadLetters(syncId: number, selection: DeadLetterSelection, now: number): Promise<ReplayResult>;
  /** Marks selected dead letters dropped (they stay counted as not delivered); returns how many. */
  dropDeadLetters(syncId: number, selection: DeadLetterSelection, now: number): Promise<number>;
  deliveryCounts(syncId: number): Promise<DeliveryCounts>;
  /** Dead letters of a sync not dropped: the size of its dead-letter store. */
  deadLetterCount(syncId: number): Promise<number>;
  /** When the oldest pending delivery of a sync was planned (ms), or null when none is pending. */
  oldestPending(syncId: number): Promise<number | null>;

  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
