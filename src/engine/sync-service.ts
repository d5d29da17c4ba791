import { isDeepStrictEqual } from 'node:util';
import type { TrackClient } from '../customerio/track-client.js';
import type { TrackRegion, TrackWorkspace } from '../customerio/track-items.js';
import { displayNameKey } from '../display-names.js';
import { AmpstreamError } from '../errors.js';
import type { DeliveryCounts, DeliveryRecord, SyncRecord } from '../store/delivery-types.js';
import type { Store } from '../store/types.js';
import { revisionEtag } from '../sync/revision.js';
import { redactSync } from '../sync/sync-redaction.js';
import type { SyncConfig, SyncView } from '../sync/sync-schema.js';
import { validateSyncInput } from '../sync/sync-validation.js';
import { workspaceOf } from './delivery/delivery-engine.js';

/** What a sync is doing: sending, held by a configuration problem, or switched off. */
export type SyncState =
  | { state: 'active' }
  | { state: 'paused'; problem: string; reason: string; since: string }
  | { state: 'disabled' };

export interface SyncDetails {
  id: number;
  config: SyncView;
  status: SyncState;
  createdAt: number;
  updatedAt: number;
  revision: number;
}

/** The result of checking a sync's credentials with Customer.io. */
export type CredentialTest =
  | { ok: true; region: string }
  | { ok: false; problem: string; message: string };

/** A sync to create (no `current`) or to replace, checked and not saved yet (`SyncService.check`). */
export interface CheckedSync {
  config: SyncConfig;
  current?: SyncRecord;
}

/** Told when a sync changes, so its delivery worker starts, restarts or stops. */
export type SyncChangeListener = (syncId: number) => Promise<void>;

function asConfig(sync: SyncRecord): SyncConfig {
  return sync.config as unknown as SyncConfig;
}

export function syncState(sync: SyncRecord): SyncState {
  if (!sync.enabled) return { state: 'disabled' };
  if (sync.pause !== null) {
    return { state: 'paused', problem: sync.pause.problem, reason: sync.pause.reason, since: new Date(sync.pause.since).toISOString() };
  }
  return { state: 'active' };
}

/** A sync as the admin API and the CLI show it: never its Customer.io key. */
export function syncDetails(sync: SyncRecord): SyncDetails {
  return { id: sync.id, config: redactSync(asConfig(sync)), status: syncState(sync), createdAt: sync.createdAt, updatedAt: sync.updatedAt, revision: sync.revision };
}

/**
 * The 412 of an update or delete made from revisions the sync is not at. Neutral about which way
 * they differ: a tag above the sync's revision was never its revision, so "changed since" would mislead.
 */
function staleRevision(current: SyncRecord, basedOn: readonly number[], refused: 'changed' | 'deleted' = 'changed'): AmpstreamError {
  const named = basedOn.map(revisionEtag).join(', ');
  const next = refused === 'changed' ? 'apply the edit to what it shows and send its ETag in If-Match' : 'check what it shows and send its ETag in If-Match';
  return new AmpstreamError(
    'precondition_failed',
    `sync ${current.id} is at revision ${current.revision}; If-Match named ${named === '' ? 'none' : named}; nothing was ${refused}: GET it again, ${next}`,
  );
}

/** Creating, changing and checking syncs: validation, uniqueness, and telling the delivery engine. */
export class SyncService {
  constructor(
    private readonly store: Store,
    private readonly client: TrackClient,
    private readonly onChange: SyncChangeListener = async () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  private async existing(id: number): Promise<SyncRecord> {
    const sync = await this.store.getSync(id);
    if (sync === undefined) throw new AmpstreamError('not_found', `sync ${id} does not exist`, { field: 'id' });
    return sync;
  }

  /**
   * The project exists, and no other sync of it has the name (compared as `displayNameKey` does:
   * case and surrounding spaces aside). A sync keeping its name is not checked, so syncs that
   * shared a name before this rule can still be changed.
   */
  private async checkProjectAndName(config: SyncConfig, current?: SyncRecord): Promise<void> {
    if ((await this.store.getProject(config.project_id)) === undefined) {
      throw new AmpstreamError('invalid_request', `project_id: project ${config.project_id} does not exist`, { field: 'project_id' });
    }
    if (current !== undefined && asConfig(current).name === config.name) return;
    const key = displayNameKey(config.name);
    const clash = (await this.store.listSyncs(config.project_id)).find((s) => s.id !== current?.id && displayNameKey(asConfig(s).name) === key);
    if (clash !== undefined) {
      throw new AmpstreamError('conflict', `name: sync ${clash.id} of project ${config.project_id} is already called "${asConfig(clash).name}"`, {
        field: 'name',
      });
    }
  }

  async create(input: unknown): Promise<SyncRecord> {
    const config = validateSyncInput(input, 'create');
    await this.checkProjectAndName(config);
    const sync = await this.store.createSync({
      projectId: config.project_id,
      enabled: config.enabled,
      config: config as unknown as SyncRecord['config'],
      createdAt: this.clock(),
    });
    await this.onChange(sync.id);
    return sync;
  }

  list(projectId?: number): Promise<SyncRecord[]> {
    return this.store.listSyncs(projectId);
  }

  get(id: number): Promise<SyncRecord> {
    return this.existing(id);
  }

  /**
   * PUT (`replace`) or PATCH (`patch`, a JSON merge patch). Leaving out the api_key keeps it.
   * With `basedOn` (the revisions the change was made from: If-Match, the editor's form), nothing
   * is saved unless the sync is at one of them, checked before validation and again in the write,
   * else a 412 `precondition_failed`. Without it, the last write wins. A change that leaves the
   * stored settings as they are (`PATCH {}`, enabling an enabled sync, a Save of an unchanged
   * form) saves nothing: the sync comes back unchanged, its revision (and a pause) too, so an
   * editor open elsewhere sees no conflict.
   */
  async update(id: number, input: unknown, mode: 'replace' | 'patch', basedOn?: readonly number[]): Promise<SyncRecord> {
    const current = await this.existing(id);
    if (basedOn !== undefined && !basedOn.includes(current.revision)) throw staleRevision(current, basedOn);
    const config = validateSyncInput(input, mode, asConfig(current));
    if (config.project_id !== current.projectId) {
      throw new AmpstreamError('invalid_request', 'project_id: a sync cannot move to another project', { field: 'project_id' });
    }
    await this.checkProjectAndName(config, current);
    if (leavesAsIs(config, current)) return current;
    const updated = await this.store.updateSync(id, {
      config: config as unknown as SyncRecord['config'],
      enabled: config.enabled,
      updatedAt: this.clock(),
      // the revision checked above, so a change saved meanwhile (between the awaits) is not overwritten
      expectedRevision: basedOn === undefined ? undefined : current.revision,
    });
    if (updated.kind === 'missing') throw new AmpstreamError('not_found', `sync ${id} does not exist`, { field: 'id' });
    if (updated.kind === 'stale') throw staleRevision(updated.current, basedOn ?? []);
    await this.onChange(id);
    return updated.sync;
  }

  /**
   * Checks a sync as `create` does, or with `current` as `update(current.id, input, 'replace')`
   * does, and saves nothing: `saveAll` saves what it answers. Each is checked against the stored
   * syncs, not against the others of a batch: names within a batch are the caller's to compare.
   */
  async check(input: unknown, current?: SyncRecord): Promise<CheckedSync> {
    if (current === undefined) {
      const config = validateSyncInput(input, 'create');
      await this.checkProjectAndName(config);
      return { config };
    }
    const config = validateSyncInput(input, 'replace', asConfig(current));
    if (config.project_id !== current.projectId) {
      throw new AmpstreamError('invalid_request', 'project_id: a sync cannot move to another project', { field: 'project_id' });
    }
    await this.checkProjectAndName(config, current);
    return { config, current };
  }

  /**
   * Saves checked syncs in one store transaction, all or none: when a sync to replace was deleted
   * or changed since it was checked, nothing is saved (a 404 or 412). Then tells the delivery
   * engine of each, as `create` and `update` do. A sync whose settings the check left as they are
   * is not saved (`unchanged`), as `update` does: its revision and a pause stay.
   */
  async saveAll(all: readonly CheckedSync[]): Promise<{ created: SyncRecord[]; updated: SyncRecord[]; unchanged: SyncRecord[] }> {
    const unchanged = all.flatMap(({ config, current }) => (current !== undefined && leavesAsIs(config, current) ? [current] : []));
    const syncs = all.filter(({ current }) => !unchanged.includes(current as SyncRecord));
    const now = this.clock();
    const stored = (config: SyncConfig) => config as unknown as SyncRecord['config'];
    const saved = await this.store.saveSyncs({
      create: syncs.flatMap(({ config, current }) =>
        current === undefined ? [{ projectId: config.project_id, enabled: config.enabled, config: stored(config), createdAt: now }] : [],
      ),
      update: syncs.flatMap(({ config, current }) =>
        current === undefined ? [] : [{ id: current.id, config: stored(config), enabled: config.enabled, updatedAt: now, expectedRevision: current.revision }],
      ),
    });
    if (saved.kind === 'missing') throw new AmpstreamError('not_found', `sync ${saved.id} does not exist`, { field: 'id' });
    if (saved.kind === 'stale') {
      throw staleRevision(saved.current, syncs.flatMap(({ current }) => (current?.id === saved.current.id ? [current.revision] : [])));
    }
    for (const sync of [...saved.created, ...saved.updated]) await this.onChange(sync.id);
    return { created: saved.created, updated: saved.updated, unchanged };
  }

  setEnabled(id: number, enabled: boolean): Promise<SyncRecord> {
    return this.update(id, { enabled }, 'patch');
  }

  /**
   * Deletes a sync. With `basedOn` (If-Match, the delete confirmation's revision), only when the
   * sync is still at one of those revisions (checked again in the delete itself), else a 412.
   */
  async remove(id: number, basedOn?: readonly number[]): Promise<void> {
    const current = await this.existing(id);
    if (basedOn !== undefined && !basedOn.includes(current.revision)) throw staleRevision(current, basedOn, 'deleted');
    if (!(await this.store.deleteSync(id, basedOn === undefined ? undefined : current.revision))) {
      // a delete or a change between the read and the delete
      throw staleRevision(await this.existing(id), basedOn ?? [], 'deleted');
    }
    await this.onChange(id);
  }

  /** Asks Customer.io whether the sync's credentials and region are right. */
  async test(id: number): Promise<CredentialTest> {
    return this.checkWorkspace(workspaceOf(await this.existing(id)));
  }

  /**
   * Asks Customer.io whether credentials not saved yet are right (the editor's Test connection).
   * The caller checks their shape; nothing is stored.
   */
  testCredentials(settings: { site_id: string; api_key: string; region: TrackRegion }): Promise<CredentialTest> {
    return this.checkWorkspace({ siteId: settings.site_id, apiKey: settings.api_key, region: settings.region });
  }

  private async checkWorkspace(workspace: TrackWorkspace): Promise<CredentialTest> {
    const check = await this.client.checkCredentials(workspace);
    if (check.kind === 'valid') return { ok: true, region: check.region };
    if (check.kind === 'configuration') return { ok: false, problem: check.problem, message: check.message };
    if (check.kind === 'rate_limited') return { ok: false, problem: 'rate_limited', message: 'Customer.io answered 429: try again shortly' };
    return { ok: false, problem: check.cause, message: check.message };
  }

  deliveries(id: number, status: DeliveryRecord['status'] | undefined, limit: number): Promise<DeliveryRecord[]> {
    return this.store.findDeliveries({ syncId: id, ...(status === undefined ? {} : { status }), limit });
  }

  /** The sync's backlog: when its oldest pending delivery was planned, and its dead-letter store's size. */
  async backlog(id: number): Promise<{ oldestPendingAt: number | null; deadLetters: number }> {
    return { oldestPendingAt: await this.store.oldestPending(id), deadLetters: await this.store.deadLetterCount(id) };
  }

  counts(id: number): Promise<DeliveryCounts> {
    return this.store.deliveryCounts(id);
  }
}

/** Whether validated settings are the ones a sync has stored (so saving them would change nothing). */
function leavesAsIs(config: SyncConfig, current: SyncRecord): boolean {
  return config.enabled === current.enabled && isDeepStrictEqual(config, current.config);
}
