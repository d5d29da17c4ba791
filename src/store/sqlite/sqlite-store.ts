import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonObject } from '../../amplitude/plain-data.js';
import { deliveryPartition, deviceKey, dedupeKey, planStateKey, profileKey, userPerson } from '../state-keys.js';
import type {
  DeliveryCounts,
  DeliveryRecord,
  AttemptRecord,
  DeadLetterSelection,
  DeliveryResult,
  FailureGroup,
  FailureSample,
  MetricIncrement,
  NewSync,
  PendingDelivery,
  PersonRekey,
  PlanState,
  PlannableEvent,
  ReplayResult,
  SyncPause,
  SyncRecord,
  SyncChange,
  SyncsSaved,
  SyncUpdate,
} from '../delivery-types.js';
import { CatalogCache, catalogLists, type CatalogRow } from '../catalog-cache.js';
import { storedDeliveryError } from '../delivery-error.js';
import type {
  CatalogName,
  EventQuery,
  IngestCommitted,
  IngestProcessor,
  IngestState,
  IngestUnit,
  MetricBucket,
  NewProject,
  Project,
  ProjectCatalog,
  Store,
  StoredEvent,
  StoredProfile,
  UnitOutcome,
} from '../types.js';
import { Checkpointer } from './checkpointer.js';
import { hourOf, MetricDeltas } from '../../metrics/delivery-metrics.js';
import { SQLITE_MIGRATIONS } from './schema.js';
import { WalSync } from './wal-sync.js';

/**
 * How a commit reaches the disk. `full`: a commit is acknowledged only after the WAL is flushed to
 * disk (survives power loss). `normal`: after it is written to the WAL (survives a crash of the
 * process, not of the machine).
 */
export type SqliteSynchronous = 'full' | 'normal';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  path: string;
  synchronous?: SqliteSynchronous;
  /** Checkpoint the WAL from a worker thread instead of the writer (default on for files). */
  backgroundCheckpoint?: boolean;
  /** How often the background checkpoint runs (default 1000 ms). */
  checkpointIntervalMs?: number;
  /** Told about background failures (never holds data). */
  onWarning?: (message: string) => void;
}

const NOTHING_TO_WAIT_FOR = Promise.resolve();

/** Appends the JSON parameter to `history`, keeping the last 20 entries (the parameter is bound twice). */
const HISTORY_APPEND = `CASE WHEN json_array_length(coalesce(history, '[]')) >= 20
  THEN json_insert(json_remove(history, '$[0]'), '$[#]', json(?)) ELSE json_insert(coalesce(history, '[]'), '$[#]', json(?)) END`;

const FAILURE_SAMPLES = 5;

/** Changes to the per-sync, per-status delivery counts, added up before they are written. */
class StatusTally {
  private readonly counts = new Map<string, [number, string, number]>();

  add(syncId: number, status: string, n: number): void {
    const key = `${syncId}|${status}`;
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, [syncId, status, n]);
    else entry[2] += n;
  }

  entries(): Iterable<[number, string, number]> {
    return this.counts.values();
  }
}

interface MetricRow {
  bucket: number;
  planned: number;
  delivered: number;
  dead: number;
  expired: number;
  discarded: number;
  first_attempt: number;
  after_retry: number;
  retried: number;
  values_cut: number;
  names_cut: number;
  attributes_dropped: number;
  latency: string;
}

function toMetricBucket(row: MetricRow): MetricBucket {
  return {
    start: row.bucket,
    delta: {
      planned: row.planned,
      delivered: row.delivered,
      dead: row.dead,
      expired: row.expired,
      discarded: row.discarded,
      firstAttempt: row.first_attempt,
      afterRetry: row.after_retry,
      retried: row.retried,
      valuesCut: row.values_cut,
      namesCut: row.names_cut,
      attributesDropped: row.attributes_dropped,
      latency: JSON.parse(row.latency) as number[],
    },
  };
}

interface ProjectRow {
  id: number;
  name: string;
  api_key_hint: string;
  created_at: number;
}

interface EventRow {
  seq: number;
  project_id: number;
  received_at: number;
  request_id: string;
  source: StoredEvent['source'];
  insert_id: string;
  insert_id_generated: number;
  event_type: string;
  time: number;
  user_id: string | null;
  device_id: string | null;
  person_key: string;
  payload: string;
  user_properties: string;
  changes: string | null;
  first_seen: number;
}

/**
 * Consecutive events of a person mostly carry the same, unchanged profile object: serialise each
 * object once. Profiles are never mutated after processing (operations return new objects).
 */
const serialisedProfiles = new WeakMap<object, string>();
function profileJson(properties: JsonObject): string {
  let text = serialisedProfiles.get(properties);
  if (text === undefined) {
    text = JSON.stringify(properties);
    serialisedProfiles.set(properties, text);
  }
  return text;
}

interface SyncRow {
  id: number;
  project_id: number;
  enabled: number;
  config: string;
  pause: string | null;
  created_at: number;
  updated_at: number;
  revision: number;
}

function toSync(row: SyncRow): SyncRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    enabled: row.enabled === 1,
    config: JSON.parse(row.config) as JsonObject,
    pause: row.pause === null ? null : (JSON.parse(row.pause) as SyncPause),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: row.revision,
  };
}

interface DeliveryRow {
  id: number;
  sync_id: number;
  event_seq: number;
  person: string;
  action: DeliveryRecord['action'];
  item: string | null;
  status: DeliveryRecord['status'];
  reason: string | null;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
  sends: number;
  history: string | null;
  dead_at: number | null;
  dropped_at: number | null;
  replays: number;
  cuts: number;
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    syncId: row.sync_id,
    eventSeq: row.event_seq,
    person: row.person,
    action: row.action,
    itemJson: row.item,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    sends: row.sends,
    history: row.history === null ? [] : (JSON.parse(row.history) as AttemptRecord[]),
    deadAt: row.dead_at,
    droppedAt: row.dropped_at,
    replays: row.replays,
    cuts: row.cuts,
  };
}

/** SQL conditions and parameters for a dead-letter selection of one sync. */
function deadLetterWhere(syncId: number, selection: DeadLetterSelection): { sql: string; params: unknown[] } {
  const where = ["sync_id = ?", "status = 'dead'", 'dropped_at IS NULL'];
  const params: unknown[] = [syncId];
  if (selection.ids !== undefined) {
    where.push(`id IN (${selection.ids.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...selection.ids);
  }
  if (selection.cause !== undefined) {
    where.push('reason = ?');
    params.push(selection.cause);
  }
  if (selection.from !== undefined) {
    where.push('dead_at >= ?');
    params.push(selection.from);
  }
  if (selection.to !== undefined) {
    where.push('dead_at < ?');
    params.push(selection.to);
  }
  return { sql: where.join(' AND '), params };
}

function toProject(row: ProjectRow): Project {
  return { id: row.id, name: row.name, apiKeyHint: row.api_key_hint, createdAt: row.created_at };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    projectId: row.project_id,
    receivedAt: row.received_at,
    requestId: row.request_id,
    source: row.source,
    insertId: row.insert_id,
    insertIdGenerated: row.insert_id_generated === 1,
    eventType: row.event_type,
    time: row.time,
    userId: row.user_id,
    deviceId: row.device_id,
    personKey: row.person_key,
    payload: JSON.parse(row.payload) as JsonObject,
    userProperties: JSON.parse(row.user_properties) as JsonObject,
    changes: row.changes === null ? null : (JSON.parse(row.changes) as StoredEvent['changes']),
    firstSeen: row.first_seen === 1,
  };
}

/**
 * The statement `findEvents` runs: events by project, user (its person key), device, insert_id,
 * after a seq, oldest first. Each look-up key has an index (schema.ts); the SQLite store test checks
 * the query plans.
 */
export function findEventsSql(query: EventQuery): { sql: string; params: unknown[] } {
  const conditions = (
    [
      ['project_id = ?', query.projectId],
      ['person_key = ?', query.userId === undefined ? undefined : userPerson(query.userId)],
      ['device_id = ?', query.deviceId],
      ['insert_id = ?', query.insertId],
      ['seq > ?', query.afterSeq],
    ] as const
  ).filter(([, value]) => value !== undefined);
  const where = conditions.length > 0 ? `WHERE ${conditions.map(([condition]) => condition).join(' AND ')}` : '';
  const sql = `SELECT e.*, coalesce(p.properties, e.user_properties) AS user_properties FROM events e
    LEFT JOIN profile_snapshots p ON p.id = e.snapshot_id
    ${where} ORDER BY seq LIMIT ?`;
  return { sql, params: [...conditions.map(([, value]) => value), query.limit] };
}

/** Rolls back `saveSyncs`'s transaction, carrying the answer. */
class SyncsNotSaved extends Error {
  constructor(readonly outcome: Exclude<SyncsSaved, { kind: 'saved' }>) {
    super(`syncs not saved: ${outcome.kind}`);
  }
}

/**
 * The devices linked to a user (sync, project, user) whose anonymous activity the sync sent and has
 * not merged; asked once per user in every ingest commit. `INDEXED BY`: without statistics SQLite
 * picked the primary key's project prefix, reading every device link of the project per user (ten
 * times slower ingest with a sync at 20,000 users).
 */
export const LINKED_PENDING_DEVICES_SQL = `SELECT l.device_id FROM device_links l INDEXED BY device_links_by_user
  JOIN sync_devices d ON d.sync_id = ? AND d.device_id = l.device_id
  WHERE l.project_id = ? AND l.user_id = ? AND d.state = 'pending' ORDER BY l.linked_at, l.device_id`;

/**
 * The embedded store: one SQLite file in WAL mode, written by one process. better-sqlite3 is
 * synchronous; the contract is async so the PostgreSQL adapter can share it.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly location: string;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly walSync: WalSync | undefined;
  /** Enabled syncs by project, read by every ingest commit; dropped whenever a sync changes. */
  private enabledSyncs: Map<number, SyncRecord[]> | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  /** The catalog names recorded so far, per project (loaded at a project's first commit). */
  private readonly catalogCache = new CatalogCache();

  constructor(options: SqliteStoreOptions) {
    this.location = options.path;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    const inFile = options.path !== ':memory:';
    this.db.pragma('journal_mode = WAL');
    // Commits never wait for the disk on the main thread; WalSync flushes before acknowledging.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -16384');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('journal_size_limit = 67108864');
    this.migrate();
    this.walSync = inFile && options.synchronous !== 'normal' ? new WalSync(options.path) : undefined;
    if (inFile && options.backgroundCheckpoint !== false) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(options.path, options.checkpointIntervalMs ?? 1000, options.onWarning);
    }
    const db = this.db;
    this.statements = {
      insertProject: db.prepare(
        'INSERT INTO projects (name, api_key_hash, api_key_hint, created_at) VALUES (?, ?, ?, ?)',
      ),
      listProjects: db.prepare('SELECT id, name, api_key_hint, created_at FROM projects ORDER BY id'),
      projectByHash: db.prepare('SELECT id, name, api_key_hint, created_at FROM projects WHERE api_key_hash = ?'),
      projectById: db.prepare('SELECT id, name, api_key_hint, created_at FROM projects WHERE id = ?'),
      seenInsertId: db
        .prepare(
          'SELECT 1 FROM events WHERE project_id = ? AND insert_id = ? AND device_id IS ? AND received_at >= ? LIMIT 1',
        )
        .pluck(),
      deviceLink: db.prepare('SELECT user_id FROM device_links WHERE project_id = ? AND device_id = ?').pluck(),
      profile: db.prepare('SELECT properties, snapshot_id FROM profiles WHERE project_id = ? AND person_key = ?'),
      insertSnapshot: db.prepare('INSERT INTO profile_snapshots (properties) VALUES (?)'),
      profileRow: db.prepare(
        'SELECT project_id, person_key, properties, created_at, updated_at FROM profiles WHERE project_id = ? AND person_key = ?',
      ),
      insertEvent: db.prepare(
        `INSERT INTO events (project_id, received_at, request_id, source, insert_id, insert_id_generated, event_type,
           time, user_id, device_id, person_key, payload, user_properties, changes, first_seen, snapshot_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
      ),
      upsertProfile: db.prepare(
        `INSERT INTO profiles (project_id, person_key, properties, created_at, updated_at, snapshot_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, person_key) DO UPDATE SET properties = excluded.properties, updated_at = excluded.updated_at,
           snapshot_id = excluded.snapshot_id`,
      ),
      upsertDeviceLink: db.prepare(
        `INSERT INTO device_links (project_id, device_id, user_id, linked_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (project_id, device_id) DO UPDATE SET user_id = excluded.user_id, linked_at = excluded.linked_at`,
      ),
      catalogRows: db.prepare('SELECT kind, name, last_seen_at AS lastSeenAt FROM catalog_names WHERE project_id = ?'),
      insertCatalogName: db.prepare(
        'INSERT OR IGNORE INTO catalog_names (project_id, kind, name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
      ),
      touchCatalogName: db.prepare(
        'UPDATE catalog_names SET last_seen_at = max(last_seen_at, ?) WHERE project_id = ? AND kind = ? AND name = ?',
      ),
      countEvents: db.prepare('SELECT count(*) FROM events').pluck(),
      countProjectEvents: db.prepare('SELECT count(*) FROM events WHERE project_id = ?').pluck(),
      ping: db.prepare('SELECT 1').pluck(),
      insertSync: db.prepare('INSERT INTO syncs (project_id, enabled, config, pause, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?)'),
      listSyncs: db.prepare('SELECT * FROM syncs ORDER BY id'),
      listProjectSyncs: db.prepare('SELECT * FROM syncs WHERE project_id = ? ORDER BY id'),
      enabledSyncs: db.prepare('SELECT * FROM syncs WHERE enabled = 1 ORDER BY id'),
      syncById: db.prepare('SELECT * FROM syncs WHERE id = ?'),
      // `revision = coalesce(?, revision)`: with no expected revision, any revision is the one expected
      updateSync: db.prepare(
        'UPDATE syncs SET config = ?, enabled = ?, pause = NULL, updated_at = ?, revision = revision + 1 WHERE id = ? AND revision = coalesce(?, revision)',
      ),
      setSyncPause: db.prepare('UPDATE syncs SET pause = ? WHERE id = ?'),
      deleteSync: db.prepare('DELETE FROM syncs WHERE id = ?'),
      syncRevision: db.prepare('SELECT revision FROM syncs WHERE id = ?').pluck(),
      deleteSyncDeliveries: db.prepare('DELETE FROM deliveries WHERE sync_id = ?'),
      deleteSyncPersons: db.prepare('DELETE FROM sync_persons WHERE sync_id = ?'),
      deleteSyncDevices: db.prepare('DELETE FROM sync_devices WHERE sync_id = ?'),
      syncPerson: db.prepare('SELECT identified FROM sync_persons WHERE sync_id = ? AND person_key = ?').pluck(),
      syncDevice: db.prepare('SELECT state FROM sync_devices WHERE sync_id = ? AND device_id = ?').pluck(),
      // the devices linked to a user whose anonymous activity a sync sent and has not merged
      linkedPendingDevices: db.prepare(LINKED_PENDING_DEVICES_SQL).pluck(),
      upsertSyncPerson: db.prepare(
        `INSERT INTO sync_persons (sync_id, person_key, identified) VALUES (?, ?, ?)
         ON CONFLICT (sync_id, person_key) DO UPDATE SET identified = excluded.identified`,
      ),
      upsertSyncDevice: db.prepare(
        `INSERT INTO sync_devices (sync_id, device_id, state) VALUES (?, ?, ?)
         ON CONFLICT (sync_id, device_id) DO UPDATE SET state = excluded.state`,
      ),
      insertDelivery: db.prepare(
        `INSERT INTO deliveries (sync_id, event_seq, person, partition, action, item, status, reason, cuts, next_attempt_at, created_at, last_error, dead_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      rekeyDeliveries: db.prepare(
        `UPDATE deliveries SET person = ?, partition = ? WHERE sync_id = ? AND person = ? AND status = 'pending'`,
      ),
      // a first request started (first_attempt_at set by markSending) but never recorded counts as a send
      pendingDeliveries: db.prepare(
        `SELECT id, sync_id, person, action, item, attempts,
           CASE WHEN sends = 0 AND first_attempt_at IS NOT NULL THEN 1 ELSE sends END AS sends, next_attempt_at, created_at FROM deliveries
         WHERE sync_id = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?`,
      ),
      markSending: db.prepare(
        `UPDATE deliveries SET first_attempt_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND sync_id = ? AND status = 'pending' AND first_attempt_at IS NULL`,
      ),
      // every result: one more request carried it; its history gets the request (the last 20 kept)
      // the common case, a whole batch delivered: one statement for all its ids (a JSON array)
      deliveredMany: db.prepare(
        `UPDATE deliveries SET status = 'delivered', delivered_at = ?, attempts = attempts + ?, sends = sends + 1,
           first_attempt_at = coalesce(first_attempt_at, ?), history = ${HISTORY_APPEND}
         WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'`,
      ),
      retryResult: db.prepare(
        `UPDATE deliveries SET next_attempt_at = ?, attempts = attempts + ?, sends = sends + 1, last_error = ?,
           first_attempt_at = coalesce(first_attempt_at, ?), history = ${HISTORY_APPEND} WHERE id = ? AND status = 'pending'`,
      ),
      deadResult: db.prepare(
        `UPDATE deliveries SET status = 'dead', dead_at = ?, reason = ?, attempts = attempts + ?, sends = sends + 1, last_error = ?,
           first_attempt_at = coalesce(first_attempt_at, ?), history = ${HISTORY_APPEND} WHERE id = ? AND status = 'pending'`,
      ),
      addMetrics: db.prepare(
        `INSERT INTO delivery_metrics (sync_id, granularity, bucket, planned, delivered, dead, expired, discarded, first_attempt,
           after_retry, retried, values_cut, names_cut, attributes_dropped, latency)
         VALUES (@syncId, @granularity, @bucket, @planned, @delivered, @dead, @expired, @discarded, @firstAttempt,
           @afterRetry, @retried, @valuesCut, @namesCut, @attributesDropped, @latency)
         ON CONFLICT (sync_id, granularity, bucket) DO UPDATE SET
           planned = planned + excluded.planned, delivered = delivered + excluded.delivered, dead = dead + excluded.dead,
           expired = expired + excluded.expired, discarded = discarded + excluded.discarded,
           first_attempt = first_attempt + excluded.first_attempt, after_retry = after_retry + excluded.after_retry,
           retried = retried + excluded.retried, values_cut = values_cut + excluded.values_cut,
           names_cut = names_cut + excluded.names_cut, attributes_dropped = attributes_dropped + excluded.attributes_dropped,
           latency = (SELECT json_group_array(n) FROM (SELECT coalesce(a.value, 0) + coalesce(b.value, 0) AS n
                      FROM json_each(delivery_metrics.latency) a JOIN json_each(excluded.latency) b ON a.key = b.key ORDER BY a.key))`,
      ),
      metricBuckets: db.prepare(
        'SELECT * FROM delivery_metrics WHERE sync_id = ? AND granularity = ? AND bucket >= ? AND bucket < ? ORDER BY bucket',
      ),
      pruneMetrics: db.prepare("DELETE FROM delivery_metrics WHERE (granularity = 'minute' AND bucket < ?) OR (granularity = 'hour' AND bucket < ?)"),
      failureGroup: db.prepare('SELECT samples FROM delivery_failures WHERE sync_id = ? AND category = ? AND reason = ?').pluck(),
      upsertFailure: db.prepare(
        `INSERT INTO delivery_failures (sync_id, category, reason, count, first_at, last_at, samples) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sync_id, category, reason) DO UPDATE SET count = count + excluded.count, last_at = excluded.last_at, samples = excluded.samples`,
      ),
      failureGroups: db.prepare('SELECT * FROM delivery_failures WHERE sync_id = ? ORDER BY last_at DESC'),
      deliveryCounts: db.prepare('SELECT status, n FROM sync_delivery_counts WHERE sync_id = ?'),
      addCount: db.prepare(
        `INSERT INTO sync_delivery_counts (sync_id, status, n) VALUES (?, ?, ?)
         ON CONFLICT (sync_id, status) DO UPDATE SET n = n + excluded.n`,
      ),
      deleteSyncCounts: db.prepare('DELETE FROM sync_delivery_counts WHERE sync_id = ?'),
      deleteSyncMetrics: db.prepare('DELETE FROM delivery_metrics WHERE sync_id = ?'),
      deleteSyncFailures: db.prepare('DELETE FROM delivery_failures WHERE sync_id = ?'),
      deadLetterCount: db
        .prepare("SELECT count(*) FROM deliveries WHERE sync_id = ? AND status = 'dead' AND dropped_at IS NULL")
        .pluck(),
      oldestPending: db
        .prepare("SELECT created_at FROM deliveries WHERE sync_id = ? AND status = 'pending' ORDER BY id LIMIT 1")
        .pluck(),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < SQLITE_MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[i] as string);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  async createProject(project: NewProject): Promise<Project> {
    const result = this.statements.insertProject.run(project.name, project.apiKeyHash, project.apiKeyHint, project.createdAt);
    return { id: Number(result.lastInsertRowid), name: project.name, apiKeyHint: project.apiKeyHint, createdAt: project.createdAt };
  }

  async listProjects(): Promise<Project[]> {
    return (this.statements.listProjects.all() as ProjectRow[]).map(toProject);
  }

  async findProjectByApiKeyHash(apiKeyHash: string): Promise<Project | undefined> {
    const row = this.statements.projectByHash.get(apiKeyHash) as ProjectRow | undefined;
    return row === undefined ? undefined : toProject(row);
  }

  async getProject(id: number): Promise<Project | undefined> {
    const row = this.statements.projectById.get(id) as ProjectRow | undefined;
    return row === undefined ? undefined : toProject(row);
  }

  async commitIngest(units: readonly IngestUnit[], processor: IngestProcessor): Promise<IngestCommitted> {
    const committed = this.commitIngestNow(units, processor);
    return { ...committed, durable: this.walSync?.flush() ?? NOTHING_TO_WAIT_FOR };
  }

  private syncsOf(projectIds: Iterable<number>): SyncRecord[] {
    if (this.enabledSyncs === undefined) {
      const byProject = new Map<number, SyncRecord[]>();
      for (const row of this.statements.enabledSyncs.all() as SyncRow[]) {
        const sync = toSync(row);
        const list = byProject.get(sync.projectId) ?? [];
        list.push(sync);
        byProject.set(sync.projectId, list);
      }
      this.enabledSyncs = byProject;
    }
    const result: SyncRecord[] = [];
    for (const id of new Set(projectIds)) result.push(...(this.enabledSyncs.get(id) ?? []));
    return result;
  }

  /** Plans the committed events' deliveries for their projects' enabled syncs (inside the transaction). */
  private planDeliveries(
    events: PlannableEvent[],
    processor: IngestProcessor,
  ): { plannedSyncs: number[]; rekeys: PersonRekey[] } {
    const planner = processor.planner;
    if (planner === undefined || events.length === 0) return { plannedSyncs: [], rekeys: [] };
    const syncs = this.syncsOf(events.map((e) => e.projectId));
    if (syncs.length === 0) return { plannedSyncs: [], rekeys: [] };
    const s = this.statements;
    const keys = planner.stateKeys(events, syncs);
    const state: PlanState = { persons: new Map(), devices: new Map(), linkedDevices: new Map() };
    for (const ref of keys.persons) {
      const key = planStateKey(ref.syncId, ref.personKey);
      if (state.persons.has(key)) continue;
      const identified = s.syncPerson.get(ref.syncId, ref.personKey) as number | undefined;
      if (identified !== undefined) state.persons.set(key, { identified: identified === 1 });
    }
    for (const ref of keys.devices) {
      const key = planStateKey(ref.syncId, ref.deviceId);
      if (state.devices.has(key)) continue;
      const device = s.syncDevice.get(ref.syncId, ref.deviceId) as 'pending' | 'merged' | undefined;
      if (device !== undefined) state.devices.set(key, device);
    }
    for (const ref of keys.users) {
      const key = planStateKey(ref.syncId, userPerson(ref.userId));
      if (state.linkedDevices.has(key)) continue;
      const linked = s.linkedPendingDevices.all(ref.syncId, ref.projectId, ref.userId) as string[];
      state.linkedDevices.set(key, new Set(linked));
      for (const deviceId of linked) state.devices.set(planStateKey(ref.syncId, deviceId), 'pending');
    }
    const writes = planner.plan(events, syncs, state, Date.now());
    for (const rekey of writes.rekeys) {
      s.rekeyDeliveries.run(rekey.to, deliveryPartition(rekey.syncId, rekey.to), rekey.syncId, rekey.from);
    }
    const planned = new Set<number>();
    const tally = new StatusTally();
    for (const d of writes.deliveries) {
      tally.add(d.syncId, d.status, 1);
      s.insertDelivery.run(
        d.syncId,
        d.eventSeq,
        d.person,
        deliveryPartition(d.syncId, d.person),
        d.action,
        d.itemJson,
        d.status,
        d.status === 'dead' ? 'too_large' : d.reason,
        d.cuts,
        d.createdAt,
        d.createdAt,
        d.status === 'dead' ? storedDeliveryError({ message: d.reason ?? 'too large to send' }) : null,
        d.status === 'dead' ? d.createdAt : null,
      );
      if (d.status === 'pending') planned.add(d.syncId);
    }
    this.addMetrics(writes.metrics);
    this.addFailures(writes.failures);
    this.addCounts(tally);
    for (const p of writes.persons) s.upsertSyncPerson.run(p.syncId, p.personKey, p.state.identified ? 1 : 0);
    for (const d of writes.devices) s.upsertSyncDevice.run(d.syncId, d.deviceId, d.state);
    return { plannedSyncs: [...planned], rekeys: writes.rekeys };
  }

  private commitIngestNow = (
    units: readonly IngestUnit[],
    processor: IngestProcessor,
  ): { outcomes: UnitOutcome[]; plannedSyncs: number[]; rekeys: PersonRekey[] } => {
    const s = this.statements;
    const run = this.db.transaction(() => {
      const keys = processor.stateKeys(units);
      const state: IngestState = { seenInsertIds: new Set(), deviceLinks: new Map(), profiles: new Map() };
      for (const ref of keys.insertIds) {
        const device = ref.deviceId === '' ? null : ref.deviceId;
        if (s.seenInsertId.get(ref.projectId, ref.insertId, device, keys.insertIdsSeenSince) !== undefined) {
          state.seenInsertIds.add(dedupeKey(ref.projectId, ref.deviceId, ref.insertId));
        }
      }
      const persons = new Map<string, { projectId: number; personKey: string }>();
      for (const ref of keys.persons) persons.set(profileKey(ref.projectId, ref.personKey), ref);
      for (const ref of keys.devices) {
        const key = deviceKey(ref.projectId, ref.deviceId);
        if (state.deviceLinks.has(key)) continue;
        const userId = s.deviceLink.get(ref.projectId, ref.deviceId) as string | undefined;
        if (userId === undefined) continue;
        state.deviceLinks.set(key, userId);
        const person = userPerson(userId);
        persons.set(profileKey(ref.projectId, person), { projectId: ref.projectId, personKey: person });
      }
      // the snapshot each loaded profile object is stored as (events that leave it unchanged share it)
      const snapshots = new Map<object, number>();
      for (const [key, ref] of persons) {
        const row = s.profile.get(ref.projectId, ref.personKey) as { properties: string; snapshot_id: number | null } | undefined;
        if (row === undefined) continue;
        const properties = JSON.parse(row.properties) as JsonObject;
        state.profiles.set(key, properties);
        if (row.snapshot_id !== null) snapshots.set(properties, row.snapshot_id);
      }

      const writes = processor.process(units, state);

      const snapshotOf = (properties: JsonObject): number => {
        let id = snapshots.get(properties);
        if (id === undefined) {
          id = Number(s.insertSnapshot.run(profileJson(properties)).lastInsertRowid);
          snapshots.set(properties, id);
        }
        return id;
      };
      const stored: PlannableEvent[] = [];
      for (const e of writes.events) {
        const inserted = s.insertEvent.run(
          e.projectId,
          e.receivedAt,
          e.requestId,
          e.source,
          e.insertId,
          e.insertIdGenerated ? 1 : 0,
          e.eventType,
          e.time,
          e.userId,
          e.deviceId,
          e.personKey,
          JSON.stringify(e.payload),
          e.changes === null ? null : JSON.stringify(e.changes),
          e.firstSeen ? 1 : 0,
          snapshotOf(e.userProperties),
        );
        stored.push({ ...e, seq: Number(inserted.lastInsertRowid) });
      }
      for (const p of writes.profiles) {
        s.upsertProfile.run(p.projectId, p.personKey, profileJson(p.properties), p.updatedAt, p.updatedAt, snapshotOf(p.properties));
      }
      for (const l of writes.deviceLinks) s.upsertDeviceLink.run(l.projectId, l.deviceId, l.userId, l.linkedAt);
      this.recordCatalog(writes.catalog);
      return { outcomes: writes.outcomes, ...this.planDeliveries(stored, processor) };
    });
    try {
      return run.immediate();
    } catch (error) {
      this.catalogCache.forget(); // it counted the rolled-back names as recorded
      throw error;
    }
  };

  /** Records a commit's new catalog names (inside its transaction). */
  private recordCatalog(names: readonly CatalogName[]): void {
    const s = this.statements;
    for (const projectId of this.catalogCache.unloaded(names)) {
      this.catalogCache.load(projectId, s.catalogRows.all(projectId) as CatalogRow[]);
    }
    for (const w of this.catalogCache.writes(names)) {
      if (w.op === 'insert') s.insertCatalogName.run(w.projectId, w.kind, w.name, w.seenAt, w.seenAt);
      else s.touchCatalogName.run(w.seenAt, w.projectId, w.kind, w.name);
    }
  }

  async findEvents(query: EventQuery): Promise<StoredEvent[]> {
    const { sql, params } = findEventsSql(query);
    return (this.db.prepare(sql).all(...params) as EventRow[]).map(toStoredEvent);
  }

  async getProfile(projectId: number, personKey: string): Promise<StoredProfile | undefined> {
    const row = this.statements.profileRow.get(projectId, personKey) as
      | { project_id: number; person_key: string; properties: string; created_at: number; updated_at: number }
      | undefined;
    if (row === undefined) return undefined;
    return {
      projectId: row.project_id,
      personKey: row.person_key,
      properties: JSON.parse(row.properties) as JsonObject,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async getDeviceLink(projectId: number, deviceId: string): Promise<string | undefined> {
    return this.statements.deviceLink.get(projectId, deviceId) as string | undefined;
  }

  async countEvents(projectId?: number): Promise<number> {
    return (
      projectId === undefined ? this.statements.countEvents.get() : this.statements.countProjectEvents.get(projectId)
    ) as number;
  }

  async catalog(projectId: number): Promise<ProjectCatalog> {
    return catalogLists(this.statements.catalogRows.all(projectId) as CatalogRow[]);
  }

  async createSync(sync: NewSync): Promise<SyncRecord> {
    const result = this.statements.insertSync.run(sync.projectId, sync.enabled ? 1 : 0, JSON.stringify(sync.config), sync.createdAt, sync.createdAt);
    this.enabledSyncs = undefined;
    return (await this.getSync(Number(result.lastInsertRowid))) as SyncRecord;
  }

  async listSyncs(projectId?: number): Promise<SyncRecord[]> {
    const rows = (projectId === undefined ? this.statements.listSyncs.all() : this.statements.listProjectSyncs.all(projectId)) as SyncRow[];
    return rows.map(toSync);
  }

  async getSync(id: number): Promise<SyncRecord | undefined> {
    const row = this.statements.syncById.get(id) as SyncRow | undefined;
    return row === undefined ? undefined : toSync(row);
  }

  async updateSync(id: number, change: { config: JsonObject; enabled: boolean; updatedAt: number; expectedRevision?: number | undefined }): Promise<SyncUpdate> {
    const s = this.statements;
    const result = s.updateSync.run(JSON.stringify(change.config), change.enabled ? 1 : 0, change.updatedAt, id, change.expectedRevision ?? null);
    if (result.changes > 0) this.enabledSyncs = undefined;
    const sync = await this.getSync(id);
    if (sync === undefined) return { kind: 'missing' };
    return result.changes === 0 ? { kind: 'stale', current: sync } : { kind: 'updated', sync };
  }

  async saveSyncs(changes: { create: readonly NewSync[]; update: readonly SyncChange[] }): Promise<SyncsSaved> {
    const s = this.statements;
    const read = (id: number) => toSync(s.syncById.get(id) as SyncRow);
    const save = this.db.transaction((): SyncsSaved => {
      const created = changes.create.map((sync) =>
        Number(s.insertSync.run(sync.projectId, sync.enabled ? 1 : 0, JSON.stringify(sync.config), sync.createdAt, sync.createdAt).lastInsertRowid),
      );
      for (const change of changes.update) {
        const { config, enabled, updatedAt, id, expectedRevision } = change;
        if (s.updateSync.run(JSON.stringify(config), enabled ? 1 : 0, updatedAt, id, expectedRevision ?? null).changes > 0) continue;
        const row = s.syncById.get(id) as SyncRow | undefined;
        // thrown to roll the transaction back, answered below
        throw new SyncsNotSaved(row === undefined ? { kind: 'missing', id } : { kind: 'stale', current: toSync(row) });
      }
      return { kind: 'saved', created: created.map(read), updated: changes.update.map((change) => read(change.id)) };
    });
    try {
      const saved = save();
      this.enabledSyncs = undefined;
      return saved;
    } catch (error) {
      if (error instanceof SyncsNotSaved) return error.outcome;
      throw error;
    }
  }

  async deleteSync(id: number, expectedRevision?: number): Promise<boolean> {
    const s = this.statements;
    const deleted = this.db.transaction(() => {
      if (expectedRevision !== undefined && s.syncRevision.get(id) !== expectedRevision) return false;
      s.deleteSyncDeliveries.run(id);
      s.deleteSyncPersons.run(id);
      s.deleteSyncDevices.run(id);
      s.deleteSyncCounts.run(id);
      s.deleteSyncMetrics.run(id);
      s.deleteSyncFailures.run(id);
      return s.deleteSync.run(id).changes > 0;
    })();
    this.enabledSyncs = undefined;
    return deleted;
  }

  async setSyncPause(id: number, pause: SyncPause | null): Promise<void> {
    this.statements.setSyncPause.run(pause === null ? null : JSON.stringify(pause), id);
    this.enabledSyncs = undefined;
  }

  async pendingDeliveries(syncId: number, afterId: number, limit: number): Promise<PendingDelivery[]> {
    const rows = this.statements.pendingDeliveries.all(syncId, afterId, limit) as {
      id: number;
      sync_id: number;
      person: string;
      action: PendingDelivery['action'];
      item: string;
      attempts: number;
      sends: number;
      next_attempt_at: number;
      created_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      syncId: r.sync_id,
      person: r.person,
      action: r.action,
      itemJson: r.item,
      attempts: r.attempts,
      sends: r.sends,
      nextAttemptAt: r.next_attempt_at,
      createdAt: r.created_at,
    }));
  }

  async markSending(syncId: number, ids: readonly number[], at: number): Promise<void> {
    if (ids.length > 0) this.statements.markSending.run(at, JSON.stringify(ids), syncId);
  }

  async recordDeliveryResults(
    syncId: number,
    results: readonly DeliveryResult[],
    metrics: readonly MetricIncrement[],
    failures: readonly FailureSample[],
  ): Promise<void> {
    const s = this.statements;
    this.db.transaction(() => {
      const tally = new StatusTally();
      const delivered = new Map<string, { at: number; attempt: number; history: string; ids: number[] }>();
      for (const r of results) {
        const attempt = r.countsAttempt ? 1 : 0;
        const history = JSON.stringify(r.attempt);
        if (r.kind === 'delivered') {
          const key = `${r.at}|${attempt}|${history}`;
          const group = delivered.get(key) ?? { at: r.at, attempt, history, ids: [] };
          group.ids.push(r.id);
          delivered.set(key, group);
          continue;
        }
        if (r.kind === 'retry') {
          s.retryResult.run(r.nextAttemptAt, attempt, storedDeliveryError(r.error), r.at, history, history, r.id);
          continue;
        }
        if (s.deadResult.run(r.at, r.cause, attempt, storedDeliveryError(r.error), r.at, history, history, r.id).changes === 0) continue;
        tally.add(syncId, 'pending', -1);
        tally.add(syncId, 'dead', 1);
      }
      for (const group of delivered.values()) {
        const changed = s.deliveredMany.run(group.at, group.attempt, group.at, group.history, group.history, JSON.stringify(group.ids)).changes;
        tally.add(syncId, 'pending', -changed);
        tally.add(syncId, 'delivered', changed);
      }
      this.addCounts(tally);
      this.addMetrics(metrics);
      this.addFailures(failures);
    })();
  }

  /** Adds failures to their groups, keeping the last few samples. */
  private addFailures(failures: readonly FailureSample[]): void {
    const s = this.statements;
    for (const f of failures) {
      const stored = s.failureGroup.get(f.syncId, f.category, f.reason) as string | undefined;
      const samples = [...(stored === undefined ? [] : (JSON.parse(stored) as unknown[])), f.sample].slice(-FAILURE_SAMPLES);
      s.upsertFailure.run(f.syncId, f.category, f.reason, f.count, f.at, f.at, JSON.stringify(samples));
    }
  }

  private addCounts(tally: StatusTally): void {
    for (const [syncId, status, n] of tally.entries()) if (n !== 0) this.statements.addCount.run(syncId, status, n);
  }

  /** Adds increments to their minute and their hour. */
  private addMetrics(increments: readonly MetricIncrement[]): void {
    for (const increment of increments) {
      const { latency, ...counters } = increment.delta;
      const row = { syncId: increment.syncId, ...counters, latency: JSON.stringify(latency) };
      this.statements.addMetrics.run({ ...row, granularity: 'minute', bucket: increment.minute });
      this.statements.addMetrics.run({ ...row, granularity: 'hour', bucket: hourOf(increment.minute) });
    }
  }

  async metricBuckets(syncId: number, granularity: 'minute' | 'hour', from: number, to: number): Promise<MetricBucket[]> {
    return (this.statements.metricBuckets.all(syncId, granularity, from, to) as MetricRow[]).map(toMetricBucket);
  }

  async pruneMetrics(minutesBefore: number, hoursBefore: number): Promise<void> {
    this.statements.pruneMetrics.run(minutesBefore, hoursBefore);
  }

  async failureGroups(syncId: number): Promise<FailureGroup[]> {
    const rows = this.statements.failureGroups.all(syncId) as {
      category: string;
      reason: string;
      count: number;
      first_at: number;
      last_at: number;
      samples: string;
    }[];
    return rows.map((row) => ({
      category: row.category,
      reason: row.reason,
      count: row.count,
      firstAt: row.first_at,
      lastAt: row.last_at,
      samples: JSON.parse(row.samples) as FailureGroup['samples'],
    }));
  }

  async findDeliveries(query: { syncId?: number; eventSeq?: number; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.syncId !== undefined) {
      where.push('sync_id = ?');
      params.push(query.syncId);
    }
    if (query.eventSeq !== undefined) {
      where.push('event_seq = ?');
      params.push(query.eventSeq);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    const sql = `SELECT * FROM deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    params.push(query.limit);
    return (this.db.prepare(sql).all(...params) as DeliveryRow[]).map(toDelivery);
  }

  async listDeadLetters(syncId: number, selection: DeadLetterSelection, afterId: number, limit: number): Promise<DeliveryRecord[]> {
    const { sql, params } = deadLetterWhere(syncId, selection);
    // after the letter `afterId` in (dead_at, id) order; one replayed since counts from its creation
    const after =
      afterId === 0
        ? { sql: '', params: [] }
        : { sql: 'AND (dead_at, id) > (SELECT coalesce(dead_at, created_at), id FROM deliveries WHERE id = ? AND sync_id = ?)', params: [afterId, syncId] };
    const rows = this.db.prepare(`SELECT * FROM deliveries WHERE ${sql} ${after.sql} ORDER BY dead_at, id LIMIT ?`).all(...params, ...after.params, limit);
    return (rows as DeliveryRow[]).map(toDelivery);
  }

  async replayDeadLetters(syncId: number, selection: DeadLetterSelection, now: number): Promise<ReplayResult> {
    const { sql, params } = deadLetterWhere(syncId, selection);
    const newerIdentify = this.db
      .prepare(`SELECT 1 FROM deliveries WHERE sync_id = ? AND person = ? AND action = 'identify' AND status = 'delivered' AND id > ? LIMIT 1`)
      .pluck();
    const replay = this.db.prepare(
      `UPDATE deliveries SET status = 'pending', item = ?, reason = NULL, attempts = 0, next_attempt_at = ?, dead_at = NULL,
         replays = replays + 1, history = ${HISTORY_APPEND} WHERE id = ?`,
    );
    return this.db.transaction((): ReplayResult => {
      const rows = this.db.prepare(`SELECT * FROM deliveries WHERE ${sql} ORDER BY id`).all(...params) as DeliveryRow[];
      const result: ReplayResult = { replayed: [], skipped: [] };
      const undo = new MetricDeltas();
      const tally = new StatusTally();
      for (const row of rows) {
        if (row.item === null) {
          result.skipped.push({ id: row.id, reason: "too large for Customer.io's 32 KB item limit: it can never be sent" });
          continue;
        }
        let item = row.item;
        if (row.action === 'identify') {
          if (newerIdentify.get(syncId, row.person, row.id) !== undefined) {
            result.skipped.push({ id: row.id, reason: 'a newer update of this person was delivered since; replaying would undo it' });
            continue;
          }
          item = JSON.stringify({ ...(JSON.parse(row.item) as JsonObject), timestamp: Math.floor(now / 1000) });
        }
        const replayed: AttemptRecord = { at: now, outcome: 'replayed', status: null };
        const entry = JSON.stringify(replayed);
        replay.run(item, now, entry, entry, row.id);
        tally.add(syncId, 'dead', -1);
        tally.add(syncId, 'pending', 1);
        const delta = undo.at(syncId, row.dead_at ?? row.created_at);
        delta.dead--;
        if (row.reason === 'expired') delta.expired--;
        result.replayed.push({
          id: row.id,
          syncId,
          person: row.person,
          action: row.action,
          itemJson: item,
          attempts: 0,
          sends: row.sends,
          nextAttemptAt: now,
          createdAt: row.created_at,
        });
      }
      this.addMetrics([...undo.byKey.values()]);
      this.addCounts(tally);
      return result;
    })();
  }

  async dropDeadLetters(syncId: number, selection: DeadLetterSelection, now: number): Promise<number> {
    const { sql, params } = deadLetterWhere(syncId, selection);
    return this.db.prepare(`UPDATE deliveries SET dropped_at = ? WHERE ${sql}`).run(now, ...params).changes;
  }

  async deadLetterCount(syncId: number): Promise<number> {
    return this.statements.deadLetterCount.get(syncId) as number;
  }

  async oldestPending(syncId: number): Promise<number | null> {
    return (this.statements.oldestPending.get(syncId) as number | undefined) ?? null;
  }

  async deliveryCounts(syncId: number): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { pending: 0, delivered: 0, dead: 0, discarded: 0 };
    for (const row of this.statements.deliveryCounts.all(syncId) as { status: keyof DeliveryCounts; n: number }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    await this.walSync?.close();
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
