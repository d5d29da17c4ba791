import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/amplitude/plain-data.js';
import type { TrackItem } from '../../src/customerio/track-items.js';
import type { ScriptedRule } from '../../src/simulator/faults.js';
import type { CustomerIoSimulator } from '../../src/simulator/server.js';

/** How a case's Customer.io answers, in plain words with the reply to give. */
export type CaseReplyRule = { when: string; reply: { status: number; headers?: Record<string, string>; body: JsonObject } };

/** Translates a case's plain-words Customer.io rules into simulator fault rules. */
export function scriptedRules(rules: CaseReplyRule[] | undefined): ScriptedRule[] {
  return (rules ?? []).map((rule) => {
    const named = /item named '([^']+)'/.exec(rule.when);
    if (named !== null) {
      const error = (rule.reply.body.errors as JsonObject[])[0] as JsonObject;
      return { match: { itemName: named[1] as string }, rejectItems: { reason: String(error.reason), field: String(error.field), message: String(error.message) } };
    }
    assert.equal(rule.when, 'the first batch request', `a rule this harness understands: ${rule.when}`);
    return { match: { path: '/api/v2/batch' }, times: 1, reply: rule.reply };
  });
}

/** One v2 batch request the simulator received, with its reply status and the items it accepted. */
export interface ReceivedBatch {
  at: number;
  status: number | 'reset' | 'timeout' | null;
  bodyBytes: number;
  items: TrackItem[];
  accepted: TrackItem[];
}

/** Every v2 batch request in the simulator's log, in arrival order. */
export function receivedBatches(sim: CustomerIoSimulator): ReceivedBatch[] {
  const batches: ReceivedBatch[] = [];
  for (const request of sim.requests()) {
    if (!request.url.endsWith('/api/v2/batch')) continue;
    const items = (JSON.parse(request.body) as { batch: TrackItem[] }).batch;
    let status: ReceivedBatch['status'] = null;
    let rejected = new Set<number>();
    if (request.reply !== null && 'status' in request.reply) {
      status = request.reply.status;
      if (status === 207) rejected = new Set((JSON.parse(request.reply.body) as { errors: Array<{ batch_index: number }> }).errors.map((e) => e.batch_index));
    } else if (request.reply !== null) {
      status = request.reply.fault;
    }
    const accepted = status === 200 || status === 207 ? items.filter((_, index) => !rejected.has(index)) : [];
    batches.push({ at: request.at, status, bodyBytes: Buffer.byteLength(request.body), items, accepted });
  }
  return batches;
}

/** What the simulator accepted: items of batches answered 200 or 207, less those a 207 named. */
export function acceptedItems(sim: CustomerIoSimulator): TrackItem[] {
  return receivedBatches(sim).flatMap((batch) => batch.accepted);
}
