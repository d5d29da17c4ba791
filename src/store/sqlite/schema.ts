/**
 * The SQLite schema, as numbered migrations. `PRAGMA user_version` records how many have run.
 * The logical schema is the one the PostgreSQL adapter mirrors.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    api_key_hash  TEXT    NOT NULL UNIQUE,
    api_key_hint  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
  );

  CREATE TABLE events (
    seq                  INTEGER PRIMARY KEY,
    project_id           INTEGER NOT NULL,
    received_at          INTEGER NOT NULL,
    request_id           TEXT    NOT NULL,
    source               TEXT    NOT NULL,
    insert_id            TEXT    NOT NULL,
    insert_id_generated  INTEGER NOT NULL,
    event_type           TEXT    NOT NULL,
    time                 INTEGER NOT NULL,
    user_id              TEXT,
    device_id            TEXT,
    person_key           TEXT    NOT NULL,
    payload              TEXT    NOT NULL,
    user_properties      TEXT    NOT NULL,
    changes              TEXT,
    first_seen           INTEGER NOT NULL
  );
  CREATE INDEX events_by_person ON events (project_id, person_key, seq);
  -- insert_id dedupe and look-ups by insert_id: the event log is the record of what was seen
  CREATE INDEX events_by_insert_id ON events (project_id, insert_id, device_id);

  CREATE TABLE profiles (
    project_id  INTEGER NOT NULL,
    person_key  TEXT    NOT NULL,
    properties  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (project_id, person_key)
  ) WITHOUT ROWID;

  CREATE TABLE device_links (
    project_id  INTEGER NOT NULL,
    device_id   TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, device_id)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE syncs (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL,
    enabled       INTEGER NOT NULL,
    config        TEXT    NOT NULL,
    pause         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );

  -- per sync and person: has Send Users identified the person
  CREATE TABLE sync_persons (
    sync_id     INTEGER NOT NULL,
    person_key  TEXT    NOT NULL,
    identified  INTEGER NOT NULL,
    PRIMARY KEY (sync_id, person_key)
  ) WITHOUT ROWID;

  -- per sync and device: anonymous activity sent ('pending') or merged into a person ('merged')
  CREATE TABLE sync_devices (
    sync_id    INTEGER NOT NULL,
    device_id  TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    PRIMARY KEY (sync_id, device_id)
  ) WITHOUT ROWID;

  -- one row per planned outcome: an item to send (pending, then delivered or dead) or a discard
  CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    sync_id          INTEGER NOT NULL,
    event_seq        INTEGER NOT NULL,
    person           TEXT    NOT NULL,
    partition        INTEGER NOT NULL,
    action           TEXT    NOT NULL,
    item             TEXT,
    status           TEXT    NOT NULL,
    reason           TEXT,
    cuts             INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    first_attempt_at INTEGER,
    delivered_at     INTEGER,
    last_error       TEXT
  );
  CREATE INDEX deliveries_pending ON deliveries (sync_id, id) WHERE status = 'pending';
  CREATE INDEX deliveries_pending_by_person ON deliveries (sync_id, person) WHERE status = 'pending';
  CREATE INDEX deliveries_by_event ON deliveries (event_seq);
  `,
  `
  ALTER TABLE deliveries ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
  -- the requests that carried it: [{at, outcome, status, message?}], the last 20
  ALTER TABLE deliveries ADD COLUMN history TEXT;
  ALTER TABLE deliveries ADD COLUMN dead_at INTEGER;
  ALTER TABLE deliveries ADD COLUMN dropped_at INTEGER;
  ALTER TABLE deliveries ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX deliveries_dead ON deliveries (sync_id, dead_at) WHERE status = 'dead' AND dropped_at IS NULL;

  -- counters per sync and minute (kept 4 hours) and per sync and hour (kept 90 days)
  CREATE TABLE delivery_metrics (
    sync_id            INTEGER NOT NULL,
    granularity        TEXT    NOT NULL,
    bucket             INTEGER NOT NULL,
    planned            INTEGER NOT NULL DEFAULT 0,
    delivered          INTEGER NOT NULL DEFAULT 0,
    dead               INTEGER NOT NULL DEFAULT 0,
    expired            INTEGER NOT NULL DEFAULT 0,
    discarded          INTEGER NOT NULL DEFAULT 0,
    first_attempt      INTEGER NOT NULL DEFAULT 0,
    after_retry        INTEGER NOT NULL DEFAULT 0,
    retried            INTEGER NOT NULL DEFAULT 0,
    values_cut         INTEGER NOT NULL DEFAULT 0,
    names_cut          INTEGER NOT NULL DEFAULT 0,
    attributes_dropped INTEGER NOT NULL DEFAULT 0,
    latency            TEXT    NOT NULL,
    PRIMARY KEY (sync_id, granularity, bucket)
  ) WITHOUT ROWID;

  -- failures by class and reason, with the last few samples
  CREATE TABLE delivery_failures (
    sync_id   INTEGER NOT NULL,
    category  TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    first_at  INTEGER NOT NULL,
    last_at   INTEGER NOT NULL,
    samples   TEXT    NOT NULL,
    PRIMARY KEY (sync_id, category, reason)
  ) WITHOUT ROWID;
  `,
  `
  -- deliveries per sync and status, kept as rows change status (counting the rows would scan them)
  CREATE TABLE sync_delivery_counts (
    sync_id  INTEGER NOT NULL,
    status   TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (sync_id, status)
  ) WITHOUT ROWID;
  INSERT INTO sync_delivery_counts (sync_id, status, n) SELECT sync_id, status, count(*) FROM deliveries GROUP BY sync_id, status;
  `,
  `
  -- sync ids are never reused (a new sync would inherit a deleted one's metrics and series)
  CREATE TABLE syncs_autoincrement (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL,
    enabled       INTEGER NOT NULL,
    config        TEXT    NOT NULL,
    pause         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  INSERT INTO syncs_autoincrement SELECT id, project_id, enabled, config, pause, created_at, updated_at FROM syncs;
  DROP TABLE syncs;
  ALTER TABLE syncs_autoincrement RENAME TO syncs;
  `,
  `
  -- an event's user properties are a snapshot of its person's profile, stored once per change:
  -- events whose profile did not change share the snapshot of the last one that did
  CREATE TABLE profile_snapshots (
    id          INTEGER PRIMARY KEY,
    properties  TEXT    NOT NULL
  );
  ALTER TABLE events ADD COLUMN snapshot_id INTEGER;
  ALTER TABLE profiles ADD COLUMN snapshot_id INTEGER;
  `,
  `
  -- the catalog: per project, the event types and event and user property names seen at ingest,
  -- written in the ingest commit (limits in src/store/catalog-cache.ts); events stored before this
  -- migration are not in it
  CREATE TABLE catalog_names (
    project_id     INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('event_type', 'event_property', 'user_property')),
    name           TEXT    NOT NULL,
    first_seen_at  INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, name)
  ) WITHOUT ROWID;
  `,
  `
  -- every dead letter has its time of death (items too large to send died when planned), so dead
  -- letters list in order of death through deliveries_dead (sync_id, dead_at, then id)
  UPDATE deliveries SET dead_at = created_at WHERE status = 'dead' AND dead_at IS NULL;
  `,
  `
  -- a sync's revision: 1 when created, one more on every saved change of its settings (not on a
  -- pause), so an edit made from an older revision can be refused (If-Match, the editor's form)
  ALTER TABLE syncs ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
  `,
  `
  -- the trace by device_id (an anonymous visitor's events, before and after a login linked the
  -- device to a user), oldest first, with or without a project; events without a device are left out
  CREATE INDEX events_by_device ON events (device_id, seq) WHERE device_id IS NOT NULL;
  `,
  `
  -- a user's linked devices, so an identify of the user merges their pending anonymous activity
  -- (a server-side identify carries no device_id)
  CREATE INDEX device_links_by_user ON device_links (project_id, user_id);
  `,
];
