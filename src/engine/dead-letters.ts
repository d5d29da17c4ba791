import { AmpstreamError } from '../errors.js';
import type { DeadLetterSelection, DeliveryRecord, ReplayResult } from '../store/delivery-types.js';
import type { Store } from '../store/types.js';
import type { DeliveryEngine } from './delivery/delivery-engine.js';

/**
 * The dead-letter store of each sync: list and inspect what Customer.io refused, what expired and
 * what is too large to send; replay (same items, same event ids, so nothing is counted twice) or
 * drop them, by id, cause and time range.
 */
export class DeadLetters {
  constructor(
    private readonly store: Store,
    private readonly engine: DeliveryEngine | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  private async requireSync(syncId: number): Promise<void> {
    if ((await this.store.getSync(syncId)) === undefined) throw new AmpstreamError('not_found', `sync ${syncId} does not exist`, { field: 'sync_id' });
  }

  async list(syncId: number, selection: DeadLetterSelection, afterId: number, limit: number): Promise<DeliveryRecord[]> {
    await this.requireSync(syncId);
    return this.store.listDeadLetters(syncId, selection, afterId, limit);
  }

  async get(syncId: number, id: number): Promise<DeliveryRecord> {
    const [found] = await this.list(syncId, { ids: [id] }, 0, 1);
    if (found === undefined) throw new AmpstreamError('not_found', `sync ${syncId} has no dead letter ${id}`, { field: 'id' });
    return found;
  }

  async replay(syncId: number, selection: DeadLetterSelection): Promise<ReplayResult> {
    await this.requireSync(syncId);
    const result = await this.store.replayDeadLetters(syncId, selection, this.clock());
    if (result.replayed.length > 0) this.engine?.onReplayed(syncId, result.replayed);
    return result;
  }

  async drop(syncId: number, selection: DeadLetterSelection): Promise<number> {
    await this.requireSync(syncId);
    return this.store.dropDeadLetters(syncId, selection, this.clock());
  }
}
