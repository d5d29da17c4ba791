import type { TrackClient } from '../../customerio/track-client.js';
import type { TrackRegion, TrackWorkspace } from '../../customerio/track-items.js';
import type { TrackOutcome } from '../../customerio/track-outcome.js';
import type { PendingDelivery, PersonRekey, SyncRecord } from '../../store/delivery-types.js';
import type { Store } from '../../store/types.js';
import type { DeliverySettings } from './delivery-settings.js';
import { AdaptiveRateLimiter } from './rate-limiter.js';
import { SyncDispatcher } from './sync-dispatcher.js';

export interface DeliveryEngineOptions {
  store: Store;
  client: TrackClient;
  settings: DeliverySettings;
  clock?: () => number;
  random?: () => number;
  onOutcome?: (syncId: number, outcome: TrackOutcome, items: number, durationMs: number) => void;
  onError?: (syncId: number, error: unknown) => void;
}

/** The Customer.io workspace a sync sends to, from its config. */
export function workspaceOf(sync: SyncRecord): TrackWorkspace {
  const cio = (sync.config.customerio ?? {}) as { site_id?: string; api_key?: string; region?: TrackRegion };
  return { siteId: cio.site_id ?? '', apiKey: cio.api_key ?? '', region: cio.region ?? 'us' };
}

/** Syncs sharing a workspace share its rate limit. */
function workspaceKey(workspace: TrackWorkspace): string {
  return `${workspace.region}|${workspace.siteId}`;
}

/**
 * Runs one dispatcher per enabled sync. Ingest commits wake them (`onCommitted`); admin changes
 * to syncs start, reconfigure or stop them (`onSyncChanged`).
 */
export class DeliveryEngine {
  private readonly dispatchers = new Map<number, SyncDispatcher>();
  private readonly limiters = new Map<string, AdaptiveRateLimiter>();
  private readonly clock: () => number;
  private readonly random: () => number;
  private started = false;
  private readonly changing = new Map<number, Promise<void>>();
  private stopped = false;

  constructor(private readonly options: DeliveryEngineOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Starts a dispatcher for every enabled sync (sync changes before this are picked up here). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const sync of await this.options.store.listSyncs()) {
      if (sync.enabled && !this.dispatchers.has(sync.id)) this.startDispatcher(sync);
    }
  }

  /** The rate limiters, by workspace (`region|site_id`), for metrics. */
  get rateLimiters(): ReadonlyMap<string, AdaptiveRateLimiter> {
    return this.limiters;
  }

  /** Dispatchers running now, by sync id (for status and metrics). */
  get running(): ReadonlyMap<number, SyncDispatcher> {
    return this.dispatchers;
  }

  limiterFor(workspace: TrackWorkspace): AdaptiveRateLimiter {
    const key = workspaceKey(workspace);
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      limiter = new AdaptiveRateLimiter({ rate: this.options.settings.ratePerSecond, now: this.clock });
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** One dispatcher per sync, ever: two would send the same deliveries twice. */
  private startDispatcher(sync: SyncRecord): void {
    if (this.stopped) return;
    if (this.dispatchers.has(sync.id)) throw new Error(`sync ${sync.id} already has a delivery worker`);
    const workspace = workspaceOf(sync);
    const dispatcher = new SyncDispatcher(sync.id, workspace, sync.pause, {
      store: this.options.store,
      client: this.options.client,
      settings: this.options.settings,
      limiter: this.limiterFor(workspace),
      clock: this.clock,
      random: this.random,
      ...(this.options.onOutcome === undefined ? {} : { onOutcome: this.options.onOutcome }),
      ...(this.options.onError === undefined ? {} : { onError: this.options.onError }),
    });
    this.dispatchers.set(sync.id, dispatcher);
    dispatcher.start();
  }

  /** An ingest commit moved a merged device's pending deliveries to its user. */
  onRekeyed(rekeys: readonly PersonRekey[]): void {
    for (const rekey of rekeys) this.dispatchers.get(rekey.syncId)?.rekey(rekey.from, rekey.to);
  }

  /** Dead letters were replayed: their sync's worker takes them now (if the sync is running). */
  onReplayed(syncId: number, rows: readonly PendingDelivery[]): void {
    this.dispatchers.get(syncId)?.addReplayed(rows);
  }

  /** Deliveries were planned and are durable: wake their syncs. */
  onPlanned(syncIds: readonly number[]): void {
    for (const id of syncIds) this.dispatchers.get(id)?.notify();
  }

  /**
   * A sync was created, updated, enabled, disabled or deleted. Changes to one sync are handled one
   * after the other: the old worker's batches in flight end before a new worker reads the deliveries.
   */
  onSyncChanged(syncId: number): Promise<void> {
    const previous = this.changing.get(syncId) ?? Promise.resolve();
    const next = previous.then(() => this.applySyncChange(syncId));
    const settled = next.catch(() => undefined);
    this.changing.set(syncId, settled);
    void settled.then(() => {
      if (this.changing.get(syncId) === settled) this.changing.delete(syncId);
    });
    return next;
  }

  private async applySyncChange(syncId: number): Promise<void> {
    if (!this.started || this.stopped) return; // start() reads every sync as it is then
    const sync = await this.options.store.getSync(syncId);
    const current = this.dispatchers.get(syncId);
    if (sync === undefined || !sync.enabled) {
      if (current !== undefined) {
        this.dispatchers.delete(syncId);
        await current.stop();
      }
      return;
    }
    if (current === undefined) {
      this.startDispatcher(sync);
      return;
    }
    // A new workspace may mean another rate limit: start afresh with the stored state.
    this.dispatchers.delete(syncId);
    await current.stop();
    this.startDispatcher(sync);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.dispatchers.values()].map((d) => d.stop()));
    this.dispatchers.clear();
  }
}
