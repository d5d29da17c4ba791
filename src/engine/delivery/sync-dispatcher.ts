import type { TrackClient } from '../../customerio/track-client.js';
import type { TrackWorkspace } from '../../customerio/track-items.js';
import type { TrackOutcome } from '../../customerio/track-outcome.js';
import type { PendingDelivery, SyncPause } from '../../store/delivery-types.js';
import type { Store } from '../../store/types.js';
import type { DeliverySettings } from './delivery-settings.js';
import { DeliveryQueue, type QueueResult, type TakenBatch } from './delivery-queue.js';
import type { AdaptiveRateLimiter } from './rate-limiter.js';
import { judgeBatch } from './batch-outcome.js';
import { metricIncrementsFor } from './delivery-metrics-of.js';

const MAX_BODY_BYTES = 500_000;

export interface DispatcherDependencies {
  store: Store;
  client: TrackClient;
  settings: DeliverySettings;
  limiter: AdaptiveRateLimiter;
  clock: () => number;
  random: () => number;
  /** Told about every batch outcome (metrics, logs); never given secrets. */
  onOutcome?: (syncId: number, outcome: TrackOutcome, items: number, durationMs: number) => void;
  onError?: (syncId: number, error: unknown) => void;
}

/**
 * Delivers one sync's pending deliveries: reads them from the store into a window, sends batches
 * within the workspace's rate limit, and records each outcome. Per-person order holds because a
 * person's items are taken only when none of them is in flight or waiting for a retry.
 */
export class SyncDispatcher {
  private readonly queue = new DeliveryQueue();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;
  private rerun = false;
  private stopped = false;
  private storeMayHaveMore = true;
  private pause: SyncPause | null;
  private readonly idle = new Set<() => void>();

  constructor(
    readonly syncId: number,
    private workspace: TrackWorkspace,
    pause: SyncPause | null,
    private readonly deps: DispatcherDependencies,
  ) {
    this.pause = pause;
  }

  get paused(): SyncPause | null {
    return this.pause;
  }

  /** Deliveries held in memory (pending, in flight or waiting). */
  get held(): number {
    return this.queue.size;
  }

  /** New deliveries were committed: send them after a short wait for others to join. */
  notify(): void {
    this.storeMayHaveMore = true;
    this.wakeAt(this.deps.clock() + this.deps.settings.batchWaitMs);
  }

  /** Dead letters made pending again: they are older than the window's cursor, so they are added here. */
  addReplayed(rows: readonly PendingDelivery[]): void {
    this.queue.add(rows);
    this.wakeAt(this.deps.clock());
  }

  /** A device's pending deliveries now belong to a user (anonymous activity merged). */
  rekey(from: string, to: string): void {
    this.queue.rekey(from, to);
  }

  /** New credentials or region: clears a pause and resumes. */
  reconfigure(workspace: TrackWorkspace): void {
    this.workspace = workspace;
    this.pause = null;
    this.storeMayHaveMore = true;
    this.wakeAt(this.deps.clock());
  }

  start(): void {
    if (this.pause !== null) this.wakeAt(this.deps.clock() + this.deps.settings.pauseProbeMs);
    else this.wakeAt(this.deps.clock());
  }

  /** Stops sending; resolves when no batch is in flight. Pending deliveries stay in the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight === 0 && !this.running) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private wakeAt(at: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.run();
    }, Math.max(0, at - this.deps.clock()));
  }

  private settleIdle(): void {
    if (this.inFlight > 0 || this.running) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /** One scheduling pass: refill the window, then start batches while allowed. */
  private async run(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.rerun = false;
        await this.pass();
      } while (this.rerun && !this.stopped);
    } catch (error) {
      this.deps.onError?.(this.syncId, error);
      this.wakeAt(this.deps.clock() + 1000);
    } finally {
      this.running = false;
      this.settleIdle();
    }
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    if (this.pause !== null) {
      await this.probe();
      return;
    }
    const { settings, clock } = this.deps;
    if (this.storeMayHaveMore && this.queue.size < settings.windowSize / 2) {
      const room = settings.windowSize - this.queue.size;
      const rows = await this.deps.store.pendingDeliveries(this.syncId, this.queue.cursor, room);
      this.queue.add(rows);
      this.storeMayHaveMore = rows.length >= room;
    }
    while (!this.stopped && this.pause === null && this.inFlight < settings.concurrency) {
      const now = clock();
      if (!this.queue.hasReady(now)) break;
      const wait = this.deps.limiter.tryTake();
      if (wait > 0) {
        this.wakeAt(now + wait);
        return;
      }
      const batch = this.queue.takeBatch(now, { maxItems: settings.maxBatchItems, maxBodyBytes: MAX_BODY_BYTES });
      if (batch.items.length === 0) break;
      this.inFlight++;
      void this.send(batch);
    }
    // with a batch slot free, nobody was ready: wake when the first waiting person is due
    if (this.inFlight < settings.concurrency) {
      const due = this.queue.nextDueAt();
      if (due !== undefined) this.wakeAt(Math.max(due, clock()));
    }
  }

  private async send(batch: TakenBatch): Promise<void> {
    const items = batch.items.map((d) => d.itemJson);
    let sent = false;
    try {
      // first sends are recorded before the request: after a crash, these items count as retried
      const first = batch.items.filter((d) => d.sends === 0).map((d) => d.id);
      if (first.length > 0) await this.deps.store.markSending(this.syncId, first, this.deps.clock());
      const started = performance.now();
      let outcome: TrackOutcome;
      sent = true;
      try {
        outcome = await this.deps.client.sendBatchJson(this.workspace, items);
      } catch (error) {
        outcome = { kind: 'retryable', status: null, cause: 'connection_failed', message: String(error) };
      }
      this.deps.onOutcome?.(this.syncId, outcome, items.length, performance.now() - started);
      await this.apply(batch, outcome);
    } catch (error) {
      this.deps.onError?.(this.syncId, error);
      this.queue.release(batch, this.deps.clock() + 1000, sent);
    } finally {
      this.inFlight--;
      if (this.queue.size > 0 || this.storeMayHaveMore) this.wakeAt(this.deps.clock());
      this.settleIdle();
    }
  }

  /** Records a batch's verdict: stored results, metrics and failure samples, then the queue. */
  private async apply(batch: TakenBatch, outcome: TrackOutcome): Promise<void> {
    const now = this.deps.clock();
    const verdict = judgeBatch(this.syncId, batch.items, outcome, now, this.deps.settings.retry, this.deps.random);
    if (verdict.throttle !== undefined) this.deps.limiter.onThrottled(verdict.throttle.retryAfterMs);
    const metrics = metricIncrementsFor(this.syncId, batch.items, verdict.results);
    await this.deps.store.recordDeliveryResults(this.syncId, verdict.results, metrics, verdict.failures);
    if (verdict.pause !== undefined) {
      this.pause = verdict.pause;
      await this.deps.store.setSyncPause(this.syncId, this.pause);
      this.wakeAt(now + this.deps.settings.pauseProbeMs);
    }
    this.queue.complete(
      batch,
      verdict.results.map((r): QueueResult =>
        r.kind === 'retry' ? { id: r.id, done: false, nextAttemptAt: r.nextAttemptAt, countsAttempt: r.countsAttempt } : { id: r.id, done: true },
      ),
    );
  }

  /** While paused: check the credentials now and then; resume when they work. */
  private async probe(): Promise<void> {
    const check = await this.deps.client.checkCredentials(this.workspace);
    if (this.stopped) return;
    if (check.kind === 'valid') {
      this.pause = null;
      await this.deps.store.setSyncPause(this.syncId, null);
      this.storeMayHaveMore = true;
      this.wakeAt(this.deps.clock());
      return;
    }
    this.wakeAt(this.deps.clock() + this.deps.settings.pauseProbeMs);
  }
}
