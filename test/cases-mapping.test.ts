/**
 * The sending half of every shared case: what the case's sync plans (test/helpers/case-planning.ts:
 * ingest's own validation and processor, then `planDeliveries`) is packed into batches and sent
 * with the Track client to the simulator, answering as the case says; what the simulator accepted
 * must be the case's `delivered` items. A stand-in for the delivery engine re-sends as each
 * outcome says. test/cases-planning.test.ts checks the planned items themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonEqual, type JsonObject } from '../src/amplitude/plain-data.js';
import { packBatches } from '../src/customerio/batching.js';
import { createTrackClient, type TrackClient } from '../src/customerio/track-client.js';
import type { TrackItem, TrackWorkspace } from '../src/customerio/track-items.js';
import type { TrackOutcome } from '../src/customerio/track-outcome.js';
import type { ScriptedRule } from '../src/simulator/faults.js';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { assertDeliveredItems, CASE_CREDENTIALS, CASE_RECEIVED_AT, planCase, type CasePlanning, type PlannedCaseItem } from './helpers/case-planning.js';
import { loadCases } from './helpers/cases.js';

const GOOD: TrackWorkspace = { siteId: CASE_CREDENTIALS.site_id, apiKey: CASE_CREDENTIALS.api_key, region: CASE_CREDENTIALS.region };

/** How a case's Customer.io answers, in plain words with the reply to give. */
type CaseReplyRule = { when: string; reply: { status: number; headers?: Record<string, string>; body: JsonObject } };

interface CaseRun {
  planning: CasePlanning;
  deadLettered: Array<{ entry: PlannedCaseItem; reason: string; field: string; message: string }>;
  outcomes: TrackOutcome[];
  batchBodies: number[];
}

/** Translates a case's plain-words Customer.io rules into simulator fault rules. */
function scriptedRules(rules: CaseReplyRule[] | undefined): ScriptedRule[] {
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

/** Sends the entries in batches, re-sending as each outcome says (a stand-in for the delivery engine). */
async function deliver(client: TrackClient, workspace: TrackWorkspace, entries: PlannedCaseItem[], run: CaseRun): Promise<void> {
  const { batches, tooLarge } = packBatches(entries);
  assert.deepEqual(tooLarge, []);
  for (const batch of batches) {
    run.batchBodies.push(batch.bodyBytes);
    let pending = batch.entries;
    let credentials = workspace;
    for (let attempt = 0; pending.length > 0; attempt++) {
      assert.ok(attempt < 5, 'the batch settles within a few attempts');
      const outcome = await client.sendBatch(credentials, pending.map((entry) => entry.item));
      run.outcomes.push(outcome);
      switch (outcome.kind) {
        case 'delivered':
          pending = [];
          break;
        case 'items_rejected': {
          const failed = new Map(outcome.failures.map((failure) => [failure.batchIndex, failure]));
          for (const [index, failure] of failed) run.deadLettered.push({ entry: pending[index] as PlannedCaseItem, ...failure });
          pending = outcome.othersAccepted ? [] : pending.filter((_, index) => !failed.has(index));
          break;
        }
        case 'configuration':
          credentials = GOOD; // the operator corrects the credentials; held items then drain in order
          break;
        case 'rate_limited':
        case 'retryable':
          break;
      }
    }
  }
}

/** What the simulator accepted: batch bodies it answered 200 or 207, less the items a 207 named. */
function acceptedItems(sim: CustomerIoSimulator): TrackItem[] {
  const accepted: TrackItem[] = [];
  for (const request of sim.requests()) {
    if (request.url !== '/api/v2/batch' || request.reply === null || !('status' in request.reply)) continue;
    const { status, body } = request.reply;
    if (status !== 200 && status !== 207) continue;
    const rejected = new Set(status === 207 ? (JSON.parse(body) as { errors: Array<{ batch_index: number }> }).errors.map((e) => e.batch_index) : []);
    (JSON.parse(request.body) as { batch: TrackItem[] }).batch.forEach((item, index) => {
      if (!rejected.has(index)) accepted.push(item);
    });
  }
  return accepted;
}

const cases = loadCases();

describe('cases: mapping and sending', () => {
  let sim: CustomerIoSimulator;
  let client: TrackClient;
  before(async () => {
    sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [GOOD], now: () => CASE_RECEIVED_AT });
    client = createTrackClient({ baseUrlOverride: sim.url, timeoutMs: 5_000 });
  });
  after(async () => {
    await client.close();
    await sim.close();
  });

  it('covers all 17 cases', () => {
    assert.equal(cases.length, 17);
  });

  for (const testCase of cases) {
    it(testCase.case, async () => {
      sim.reset();
      sim.setFaults({ scripted: scriptedRules(testCase.customerio as CaseReplyRule[] | undefined) });
      const run: CaseRun = { planning: planCase(testCase), deadLettered: [], outcomes: [], batchBodies: [] };
      const { site_id, api_key, region } = run.planning.sync.customerio;
      await deliver(client, { siteId: site_id, apiKey: api_key, region }, run.planning.items, run);
      const entryFor = (item: TrackItem) => run.planning.items.find((entry) => jsonEqual(entry.item, item)) as PlannedCaseItem;
      const accepted = acceptedItems(sim).map(entryFor);
      await CHECKS[testCase.case]?.(run, accepted, sim, client);
      if (Array.isArray(testCase.delivered)) assertDeliveredItems(testCase.delivered as JsonObject[], accepted);
      if (testCase.metrics !== undefined) assertMetrics(testCase.metrics, run, accepted);
    });
  }
});

function assertMetrics(metrics: Record<string, number>, run: CaseRun, accepted: PlannedCaseItem[]): void {
  const delivered = accepted.filter((entry) => entry.action === 'event').length;
  const notDelivered =
    run.planning.discarded.filter((entry) => entry.action === 'event').length + run.deadLettered.filter((d) => d.entry.action === 'event').length;
  if (metrics.eventsDelivered !== undefined) assert.equal(delivered, metrics.eventsDelivered, 'eventsDelivered');
  if (metrics.eventsNotDelivered !== undefined) assert.equal(notDelivered, metrics.eventsNotDelivered, 'eventsNotDelivered');
}

/** Each case's words about sending (`not_delivered`, string `delivered`), checked on the run. */
type CaseCheck = (run: CaseRun, accepted: PlannedCaseItem[], sim: CustomerIoSimulator, client: TrackClient) => void | Promise<void>;

const nameOf = (item: TrackItem) => (item.action === 'event' ? item.name : undefined);

const CHECKS: Record<string, CaseCheck> = {
  '06-partial-batch-failure': (run) => {
    assert.deepEqual(
      run.deadLettered.map((d) => [nameOf(d.entry.item), d.reason, d.field, d.message]),
      [['Bad Event', 'invalid', 'attributes.note', 'property value cannot be longer than 1000 bytes']],
    );
    assert.equal(run.outcomes.length, 1, 'exactly one attempt');
  },
  '09-duplicates-never-double-count': async (_run, accepted, sim, client) => {
    const signup = accepted.find((entry) => nameOf(entry.item) === 'Signup') as PlannedCaseItem;
    assert.deepEqual(await client.sendBatch(GOOD, [signup.item]), { kind: 'delivered', status: 200 }, 'a re-send after a crash is accepted');
    const stored = sim.person({ id: 'user-10001' })?.events.filter((e) => e.name === 'Signup') ?? [];
    assert.deepEqual(stored.map((e) => e.event_id), [(signup.item as { id: string }).id], 'and Customer.io keeps one Signup');
  },
  '10-anonymous-activity-merges-on-login': (_run, _accepted, sim) => {
    assert.deepEqual(sim.person({ id: 'user-10001' })?.events.map((e) => e.name), ['Pricing Viewed'], 'Customer.io merged the history');
  },
  '13-rate-limited-waits-as-told': (run) => {
    assert.deepEqual(run.outcomes[0], { kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    assert.equal(run.outcomes[1]?.kind, 'delivered');
  },
  '14-rejected-credentials-pause-the-sync': (run) => {
    assert.equal(run.outcomes[0]?.kind === 'configuration' && run.outcomes[0].problem, 'credentials_rejected');
    assert.deepEqual(run.deadLettered, [], 'nothing is dead-lettered');
  },
  '15-size-limits': (run, accepted) => {
    assert.equal(accepted.filter((entry) => nameOf(entry.item) === 'Report Viewed').length, 60, "all 60 'Report Viewed' events");
    assert.ok(run.batchBodies.length >= 2, 'at least two batch requests');
    assert.ok(run.batchBodies.every((bytes) => bytes <= 500_000), 'each request body at most 500,000 bytes');
  },
};
