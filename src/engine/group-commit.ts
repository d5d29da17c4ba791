import { AmpstreamError } from '../errors.js';
import type { IngestCommitted, IngestProcessor, IngestUnit, Store, UnitOutcome } from '../store/types.js';

export interface GroupCommitOptions {
  /**
   * How long the first request of a group waits for others before the group commits. 0 commits on
   * the next turn of the event loop, which already gathers every request that arrived meanwhile.
   */
  maxDelayMs: number;
  /** A group holds at most this many events (a single larger request is a group of its own); a queue this full commits at once. */
  maxEvents: number;
  /** Called after each commit (for metrics). */
  onCommit?: (stats: { units: number; events: number; durationMs: number; ok: boolean }) => void;
  /**
   * Called right after a commit that moved pending deliveries from a device to a user, before any
   * later commit: delivery workers must know before they read the rows planned after it.
   */
  onRekeyed?: (rekeys: IngestCommitted['rekeys']) => void;
  /** Called once a commit that planned deliveries is durable: only then may they be sent. */
  onPlanned?: (syncIds: IngestCommitted['plannedSyncs']) => void;
}

interface Pending {
  unit: IngestUnit;
  resolve: (outcome: UnitOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent requests share one transaction, so throughput holds under load while
 * each request is answered only after its own events are durable. One group commits at a time;
 * requests arriving meanwhile form the next group. If a group's transaction fails, its requests
 * are retried one by one so that one bad request cannot fail the others.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private scheduled = false;
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly waitingForDisk = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly processor: IngestProcessor,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves once the unit is committed; rejects if it could not be. */
  submit(unit: IngestUnit): Promise<UnitOutcome> {
    if (this.closed) return Promise.reject(new AmpstreamError('shutting_down'));
    return new Promise<UnitOutcome>((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      this.queuedEvents += unit.events.length;
      if (this.queuedEvents >= this.options.maxEvents) this.startSoon(true);
      else this.startSoon(false);
    });
  }

  /** Requests waiting for the next group (for metrics). */
  get pending(): number {
    return this.queue.length;
  }

  private startSoon(now: boolean): void {
    if (this.running !== undefined) return; // the running group starts the next one when it ends
    if (this.scheduled && !now) return;
    this.clearTimer();
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.cancelTimer = undefined;
      void this.runGroups();
    };
    if (now || this.options.maxDelayMs <= 0) {
      const immediate = setImmediate(start);
      this.cancelTimer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(start, this.options.maxDelayMs);
      this.cancelTimer = () => clearTimeout(timeout);
    }
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.scheduled = false;
  }

  private runGroups(): Promise<void> {
    if (this.running !== undefined) return this.running;
    this.running = (async () => {
      while (this.queue.length > 0) await this.commitGroup(this.takeGroup());
    })().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.startSoon(false);
    });
    return this.running;
  }

  /** The next group: requests in arrival order, up to `maxEvents` events (at least one request). */
  private takeGroup(): Pending[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length) {
      const size = this.queue[count]?.unit.events.length ?? 0;
      if (count > 0 && events + size > this.options.maxEvents) break;
      events += size;
      count++;
    }
    this.queuedEvents -= events;
    return this.queue.splice(0, count);
  }

  /**
   * Commits one group and returns once its transaction is committed, so the next group can commit
   * while this one waits to become durable; its requests are answered when it is.
   */
  private async commitGroup(group: Pending[]): Promise<void> {
    const started = performance.now();
    const units = group.map((p) => p.unit);
    const events = units.reduce((sum, u) => sum + u.events.length, 0);
    let committed;
    try {
      committed = await this.store.commitIngest(units, this.processor);
    } catch (error) {
      this.options.onCommit?.({ units: units.length, events, durationMs: performance.now() - started, ok: false });
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      for (const pending of group) await this.commitGroup([pending]);
      return;
    }
    const { outcomes } = committed;
    if (committed.rekeys.length > 0) this.options.onRekeyed?.(committed.rekeys);
    const durable = committed.durable.then(
      () => {
        this.options.onCommit?.({ units: units.length, events, durationMs: performance.now() - started, ok: true });
        if (committed.plannedSyncs.length > 0) this.options.onPlanned?.(committed.plannedSyncs);
        group.forEach((p, i) => p.resolve(outcomes[i] as UnitOutcome));
      },
      (error: unknown) => {
        this.options.onCommit?.({ units: units.length, events, durationMs: performance.now() - started, ok: false });
        group.forEach((p) => p.reject(error));
      },
    );
    this.waitingForDisk.add(durable);
    void durable.finally(() => this.waitingForDisk.delete(durable));
  }

  /** Stops taking requests and waits until every request already taken is committed or failed. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    while (this.queue.length > 0 || this.running !== undefined) {
      await this.runGroups();
    }
    await Promise.all(this.waitingForDisk);
  }
}
