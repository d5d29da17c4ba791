import type { PendingDelivery } from '../../store/delivery-types.js';

/** A pending delivery held in memory for scheduling. */
export interface QueuedDelivery extends PendingDelivery {
  /** Bytes of `itemJson` in UTF-8. */
  bytes: number;
}

export interface BatchLimits {
  maxItems: number;
  /** Body bytes, `{"batch":[…]}` included. */
  maxBodyBytes: number;
}

/** `{"batch":[` and `]}` */
const ENVELOPE_BYTES = 12;

/** A batch taken from the queue; its persons are busy until it is completed or released. */
export interface TakenBatch {
  token: number;
  items: QueuedDelivery[];
}

/** What happened to one delivery of a batch, as the queue needs to know it. */
export type QueueResult =
  | { id: number; done: true }
  | { id: number; done: false; nextAttemptAt: number; countsAttempt?: boolean };

/**
 * The in-memory scheduling window of one sync's pending deliveries: per person, a queue in id
 * (ingest) order. A person's items go out only in order: while a batch holding some of them is in
 * flight, or while the person's first item waits for its retry time, none of its later items is
 * taken (a barrier that holds that person and nobody else). Batches mix persons.
 */
export class DeliveryQueue {
  private readonly byPerson = new Map<string, QueuedDelivery[]>();
  private readonly byId = new Map<number, QueuedDelivery>();
  /** Persons that may be ready, in the order they became so. */
  private readonly candidates = new Set<string>();
  /** In-flight batches (tokens) holding items of each person. */
  private readonly inFlight = new Map<string, Set<number>>();
  private nextToken = 1;
  /** Highest id ever added: the store is read after it for new deliveries. */
  cursor = 0;

  get size(): number {
    return this.byId.size;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Adds deliveries read from the store (in id order); ones already held are skipped. */
  add(rows: readonly PendingDelivery[]): void {
    for (const row of rows) {
      this.cursor = Math.max(this.cursor, row.id);
      if (this.byId.has(row.id)) continue;
      const item: QueuedDelivery = { ...row, bytes: Buffer.byteLength(row.itemJson, 'utf8') };
      this.byId.set(row.id, item);
      const list = this.byPerson.get(row.person);
      if (list === undefined) this.byPerson.set(row.person, [item]);
      else insertById(list, item);
      this.candidates.add(row.person);
    }
  }

  /**
   * Takes the next batch: persons in the order they became ready, each with its consecutive items
   * due now, until the limits. Taken persons are busy until `complete`.
   */
  takeBatch(now: number, limits: BatchLimits): TakenBatch {
    const token = this.nextToken++;
    const batch: QueuedDelivery[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const person of this.candidates) {
      if (batch.length >= limits.maxItems) break;
      const list = this.byPerson.get(person);
      if (list === undefined || list.length === 0 || this.isBusy(person)) {
        this.candidates.delete(person);
        continue;
      }
      if ((list[0] as QueuedDelivery).nextAttemptAt > now) continue; // waits for its retry time
      let took = 0;
      for (const item of list) {
        if (item.nextAttemptAt > now || batch.length >= limits.maxItems) break;
        const cost = item.bytes + (batch.length > 0 ? 1 : 0);
        if (bytes + cost > limits.maxBodyBytes) break;
        batch.push(item);
        bytes += cost;
        took++;
      }
      if (took === 0) break; // the batch is full
      this.inFlight.set(person, new Set([token]));
      this.candidates.delete(person);
    }
    return { token, items: batch };
  }

  private isBusy(person: string): boolean {
    return (this.inFlight.get(person)?.size ?? 0) > 0;
  }

  /** When the earliest waiting person becomes due (ms), or undefined when nobody waits. */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    for (const person of this.candidates) {
      const head = this.byPerson.get(person)?.[0];
      if (head === undefined || this.isBusy(person)) continue;
      if (earliest === undefined || head.nextAttemptAt < earliest) earliest = head.nextAttemptAt;
    }
    return earliest;
  }

  /** Whether some person can be sent now (stops at the first one; drops persons with nothing to send). */
  hasReady(now: number): boolean {
    for (const person of this.candidates) {
      const head = this.byPerson.get(person)?.[0];
      if (head === undefined || this.isBusy(person)) {
        this.candidates.delete(person);
        continue;
      }
      if (head.nextAttemptAt <= now) return true;
    }
    return false;
  }

  /** Records the outcome of a batch: finished items leave; retried ones wait for their time. */
  complete(batch: TakenBatch, results: readonly QueueResult[]): void {
    this.finish(batch, results, true);
  }

  /**
   * A batch came back without a verdict on its items (its results could not be recorded): they stay,
   * no attempt counted; `sent` when the request went out, so their next request is not their first.
   */
  release(batch: TakenBatch, nextAttemptAt?: number, sent = false): void {
    const results = batch.items.map((item) => ({ id: item.id, done: false as const, nextAttemptAt: nextAttemptAt ?? item.nextAttemptAt }));
    this.finish(batch, results, false, sent);
  }

  private finish(batch: TakenBatch, results: readonly QueueResult[], countsAttempt: boolean, sent = countsAttempt): void {
    const persons = new Set(batch.items.map((item) => item.person));
    for (const result of results) {
      const item = this.byId.get(result.id);
      if (item === undefined) continue;
      if (result.done) {
        this.byId.delete(result.id);
        const list = this.byPerson.get(item.person);
        if (list !== undefined) {
          const index = list.indexOf(item);
          if (index >= 0) list.splice(index, 1);
          if (list.length === 0) this.byPerson.delete(item.person);
        }
      } else {
        item.nextAttemptAt = result.nextAttemptAt;
        if (countsAttempt && result.countsAttempt !== false) item.attempts += 1;
        if (sent) item.sends += 1;
      }
      persons.add(item.person);
    }
    for (const person of persons) {
      const tokens = this.inFlight.get(person);
      tokens?.delete(batch.token);
      if (tokens !== undefined && tokens.size === 0) this.inFlight.delete(person);
      if (this.byPerson.has(person)) this.candidates.add(person);
    }
  }

  /** A device's deliveries now belong to the user it was merged into (see PersonRekey). */
  rekey(from: string, to: string): void {
    const moving = this.byPerson.get(from);
    if (moving === undefined) return;
    this.byPerson.delete(from);
    const target = this.byPerson.get(to) ?? [];
    for (const item of moving) {
      item.person = to;
      insertById(target, item);
    }
    this.byPerson.set(to, target);
    const busy = new Set([...(this.inFlight.get(from) ?? []), ...(this.inFlight.get(to) ?? [])]);
    this.inFlight.delete(from);
    if (busy.size > 0) this.inFlight.set(to, busy);
    this.candidates.delete(from);
    this.candidates.add(to);
  }

  /** Forgets everything (the sync was deleted or its window is reloaded). */
  clear(): void {
    this.byPerson.clear();
    this.byId.clear();
    this.candidates.clear();
    this.inFlight.clear();
    this.cursor = 0;
  }
}

function insertById(list: QueuedDelivery[], item: QueuedDelivery): void {
  let index = list.length;
  while (index > 0 && (list[index - 1] as QueuedDelivery).id > item.id) index--;
  list.splice(index, 0, item);
}
