/**
 * The mapping and sending half of every case in ../shared/cases: the accepted Amplitude input is
 * mapped to Track API v2 items, packed into batches and sent with the Track client to the simulator
 * (answering as the case says); what the simulator accepted must be the case's `delivered` items.
 * Ingest (validation, insert_id dedupe, user-property operations) is stood in for by the smallest
 * faithful steps: refused requests are skipped, insert_ids are assigned to events without one and
 * repeated insert_ids are dropped; user-property operations use the ingest side's own function.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeTime, isValid as isValidUlid } from 'ulid';
import { isPlainObject, jsonEqual, type JsonObject } from '../src/amplitude/plain-data.js';
import { applyUserPropertyOperations, diffProfiles } from '../src/amplitude/user-property-operations.js';
import type { Adjustment, MappingOptions } from '../src/customerio/attribute-values.js';
import { packBatches } from '../src/customerio/batching.js';
import { mapEventToItem, mapUserUpdateToItems } from '../src/customerio/mapping.js';
import { createTrackClient, type TrackClient } from '../src/customerio/track-client.js';
import type { TrackItem, TrackWorkspace } from '../src/customerio/track-items.js';
import type { TrackOutcome } from '../src/customerio/track-outcome.js';
import { utf8ByteLength } from '../src/customerio/utf8.js';
import type { ScriptedRule } from '../src/simulator/faults.js';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';

const CASES_DIR = resolve(import.meta.dirname, '../../shared/cases');
const GOOD: TrackWorkspace = { siteId: 'case-site', apiKey: 'case-key', region: 'us' };
const PROCESSED_AT = Date.UTC(2026, 0, 1, 1);
const PROJECT_ID = 1;

interface CaseFile {
  case: string;
  sync?: { send_events?: { anonymous?: boolean }; send_users?: { enabled?: boolean }; options?: JsonObject; customerio?: { site_id: string; api_key: string; region: 'us' | 'eu' } };
  customerio?: Array<{ when: string; reply: { status: number; headers?: Record<string, string>; body: JsonObject } }>;
  steps: Array<{ send?: { path: string; json?: JsonObject; form?: Record<string, string> }; expect?: { status: number } }>;
  delivered: JsonObject[] | string;
  metrics?: Record<string, number>;
}

/** An item on its way, with what the case needs to know about it. */
interface Entry {
  item: TrackItem;
  kind: 'event' | 'user';
  eventTime?: number;
}

interface CaseRun {
  sent: Entry[];
  unsendable: Array<{ kind: 'event' | 'user'; reason: string; eventType?: string }>;
  adjustments: Adjustment[];
  deadLettered: Array<{ entry: Entry; reason: string; field: string; message: string }>;
  outcomes: TrackOutcome[];
  /** Items the simulator accepted, in the order it applied them. */
  accepted: TrackItem[];
  batchBodies: number[];
}

/** Translates a case's plain-words Customer.io rules into simulator fault rules. */
function scriptedRules(rules: CaseFile['customerio']): ScriptedRule[] {
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

/** The accepted inputs of a case, mapped to items in the order ingest would plan them. */
function mapCase(testCase: CaseFile): Pick<CaseRun, 'sent' | 'unsendable' | 'adjustments'> {
  const options: MappingOptions = {
    convertDates: (testCase.sync?.options?.convert_dates as boolean | undefined) ?? true,
    stringifyValues: (testCase.sync?.options?.stringify_values as boolean | undefined) ?? false,
  };
  const sendAnonymous = testCase.sync?.send_events?.anonymous ?? false;
  const sendUsers = testCase.sync?.send_users?.enabled ?? true;
  const run: Pick<CaseRun, 'sent' | 'unsendable' | 'adjustments'> = { sent: [], unsendable: [], adjustments: [] };
  const seenInsertIds = new Set<string>();
  const profiles = new Map<string, JsonObject>();
  const anonymousDevices = new Set<string>();
  let generated = 0;

  testCase.steps.forEach((step) => {
    if (step.send === undefined || step.expect?.status !== 200) return; // refused by ingest: nothing stored
    if (step.send.path === '/2/httpapi' || step.send.path === '/batch') {
      for (const raw of (step.send.json?.events ?? []) as JsonObject[]) {
        const insertId = typeof raw.insert_id === 'string' ? raw.insert_id : `ingest-${++generated}`;
        const deviceId = typeof raw.device_id === 'string' ? raw.device_id : null;
        const dedupeKey = JSON.stringify([deviceId, insertId]);
        if (seenInsertIds.has(dedupeKey)) continue;
        seenInsertIds.add(dedupeKey);
        const userId = typeof raw.user_id === 'string' ? raw.user_id : null;
        const event = {
          projectId: PROJECT_ID,
          insertId,
          deviceId,
          userId,
          eventType: String(raw.event_type),
          time: typeof raw.time === 'number' ? raw.time : PROCESSED_AT,
          attributes: isPlainObject(raw.event_properties) ? raw.event_properties : {},
        };
        const mapped = mapEventToItem(event, { identifierValue: userId, sendAnonymous }, options);
        run.adjustments.push(...mapped.adjustments);
        if (!mapped.ok) {
          run.unsendable.push({ kind: 'event', reason: mapped.reason, eventType: event.eventType });
          continue;
        }
        if (userId === null && deviceId !== null) anonymousDevices.add(deviceId);
        run.sent.push({ item: mapped.item, kind: 'event', eventTime: event.time });
      }
      return;
    }
    assert.equal(step.send.path, '/identify');
    const identification = JSON.parse(step.send.form?.identification ?? '[]') as JsonObject | JsonObject[];
    for (const raw of Array.isArray(identification) ? identification : [identification]) {
      const userId = String(raw.user_id);
      const before = profiles.get(userId) ?? {};
      const after = applyUserPropertyOperations(before, (raw.user_properties ?? {}) as JsonObject);
      profiles.set(userId, after);
      if (!sendUsers) continue;
      const deviceId = typeof raw.device_id === 'string' ? raw.device_id : undefined;
      const anonymousId = deviceId !== undefined && anonymousDevices.delete(deviceId) ? deviceId : undefined;
      const mapped = mapUserUpdateToItems(
        { identifierValue: userId, changed: diffProfiles(before, after), processedAt: PROCESSED_AT, ...(anonymousId === undefined ? {} : { anonymousId }) },
        options,
      );
      run.adjustments.push(...mapped.adjustments);
      if (!mapped.ok) run.unsendable.push({ kind: 'user', reason: mapped.reason });
      else for (const item of mapped.items) run.sent.push({ item, kind: 'user' });
    }
  });
  return run;
}

/** Sends the entries in batches, re-sending as each outcome says (a stand-in for the delivery engine). */
async function deliver(client: TrackClient, workspace: TrackWorkspace, entries: Entry[], run: CaseRun): Promise<void> {
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
          for (const [index, failure] of failed) run.deadLettered.push({ entry: pending[index] as Entry, ...failure });
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

function personKey(item: JsonObject): string {
  return JSON.stringify(item.identifiers ?? null);
}

/** Every field the case shows must be equal; `<ulid>` is a ULID whose time is the event's time. */
function assertMatches(actual: Entry | undefined, expected: JsonObject, label: string): void {
  assert.ok(actual !== undefined, `${label}: missing`);
  const item = actual.item as unknown as JsonObject;
  for (const [field, value] of Object.entries(expected)) {
    if (value === '<ulid>') {
      assert.ok(typeof item.id === 'string' && isValidUlid(item.id), `${label}: id is a ULID`);
      assert.equal(decodeTime(item.id as string), actual.eventTime, `${label}: the ULID's time is the event time`);
      continue;
    }
    assert.ok(jsonEqual(item[field], value), `${label}: ${field} is ${JSON.stringify(item[field])}, expected ${JSON.stringify(value)}`);
  }
}

/** The case's delivered list, per person in order (or as one sequence when it names no person). */
function assertDelivered(expected: JsonObject[], accepted: Entry[]): void {
  const byPerson = expected.every((item) => item.identifiers !== undefined);
  const groups = (list: JsonObject[]) => {
    const map = new Map<string, JsonObject[]>();
    for (const item of list) map.set(byPerson ? personKey(item) : '', [...(map.get(byPerson ? personKey(item) : '') ?? []), item]);
    return map;
  };
  const expectedGroups = groups(expected);
  const acceptedByKey = new Map<string, Entry[]>();
  for (const entry of accepted) {
    const key = byPerson ? personKey(entry.item as unknown as JsonObject) : '';
    acceptedByKey.set(key, [...(acceptedByKey.get(key) ?? []), entry]);
  }
  assert.deepEqual([...acceptedByKey.keys()].sort(), [...expectedGroups.keys()].sort(), 'the same persons received items');
  for (const [key, items] of expectedGroups) {
    const received = acceptedByKey.get(key) ?? [];
    assert.equal(received.length, items.length, `${key}: ${received.length} items received, ${items.length} expected`);
    items.forEach((item, index) => assertMatches(received[index], item, `${key} item ${index}`));
  }
}

const caseFiles = readdirSync(CASES_DIR).filter((name) => name.endsWith('.json')).sort();

describe('cases: mapping and sending', () => {
  let sim: CustomerIoSimulator;
  let client: TrackClient;
  before(async () => {
    sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [GOOD], now: () => PROCESSED_AT });
    client = createTrackClient({ baseUrlOverride: sim.url, timeoutMs: 5_000 });
  });
  after(async () => {
    await client.close();
    await sim.close();
  });

  it('covers all 17 cases', () => {
    assert.equal(caseFiles.length, 17);
  });

  for (const file of caseFiles) {
    it(file, async () => {
      const testCase = JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8')) as CaseFile;
      sim.reset();
      sim.setFaults({ scripted: scriptedRules(testCase.customerio) });
      const run: CaseRun = { ...mapCase(testCase), deadLettered: [], outcomes: [], accepted: [], batchBodies: [] };
      const workspace = testCase.sync?.customerio
        ? { siteId: testCase.sync.customerio.site_id, apiKey: testCase.sync.customerio.api_key, region: testCase.sync.customerio.region }
        : GOOD;
      await deliver(client, workspace, run.sent, run);
      const accepted = acceptedItems(sim);
      const entryFor = (item: TrackItem) => run.sent.find((entry) => jsonEqual(entry.item, item)) as Entry;
      const acceptedEntries = accepted.map(entryFor);
      await CHECKS[testCase.case]?.(testCase, run, acceptedEntries, sim, client);
      if (Array.isArray(testCase.delivered)) assertDelivered(testCase.delivered, acceptedEntries);
      if (testCase.metrics !== undefined) assertMetrics(testCase.metrics, run, acceptedEntries);
    });
  }
});

function assertMetrics(metrics: Record<string, number>, run: CaseRun, accepted: Entry[]): void {
  const delivered = accepted.filter((entry) => entry.kind === 'event').length;
  const notDelivered = run.unsendable.filter((u) => u.kind === 'event').length + run.deadLettered.filter((d) => d.entry.kind === 'event').length;
  if (metrics.eventsDelivered !== undefined) assert.equal(delivered, metrics.eventsDelivered, 'eventsDelivered');
  if (metrics.eventsNotDelivered !== undefined) assert.equal(notDelivered, metrics.eventsNotDelivered, 'eventsNotDelivered');
}

/** Each case's `not_delivered` and other words, checked on the run. */
type CaseCheck = (testCase: CaseFile, run: CaseRun, accepted: Entry[], sim: CustomerIoSimulator, client: TrackClient) => void | Promise<void>;

const CHECKS: Record<string, CaseCheck> = {
  '04-created-at-only-when-set': (_c, run) => {
    assert.equal(run.sent.length, 3, 'no fourth identify');
    assert.equal(run.sent.filter((e) => 'created_at' in e.item.attributes).length, 1);
  },
  '05-long-attribute-value-cut-on-a-character-boundary': (_c, run) => {
    assert.deepEqual(run.adjustments.map((a) => a.kind), ['value_cut'], 'the cut is counted');
    assert.ok(utf8ByteLength(run.sent[0]?.item.attributes.bio as string) <= 1000);
  },
  '06-partial-batch-failure': (_c, run) => {
    assert.deepEqual(
      run.deadLettered.map((d) => [(d.entry.item as { name: string }).name, d.reason, d.field, d.message]),
      [['Bad Event', 'invalid', 'attributes.note', 'property value cannot be longer than 1000 bytes']],
    );
    assert.equal(run.outcomes.length, 1, 'exactly one attempt');
  },
  '08-long-event-names': (_c, run) => {
    assert.deepEqual(run.adjustments.map((a) => a.kind), ['event_name_cut', 'event_name_cut']);
  },
  '09-duplicates-never-double-count': async (_c, run, accepted, sim, client) => {
    const ids = accepted.map((e) => (e.item as { id: string }).id);
    assert.equal(new Set(ids).size, 3, 'the two Click items have different ids');
    for (const id of ids) assert.ok(!['user-10001', 'evt-0001', 'device-0001'].includes(id));
    const signup = run.sent.find((e) => (e.item as { name: string }).name === 'Signup') as Entry;
    assert.deepEqual(mapEventToItem({ projectId: PROJECT_ID, insertId: 'evt-0001', deviceId: 'device-0001', userId: 'user-10001', eventType: 'Signup', time: 1767225600000, attributes: {} }, { identifierValue: 'user-10001', sendAnonymous: false }, { convertDates: true, stringifyValues: false }), { ok: true, item: signup.item, adjustments: [] }, 'the same event always maps to the same id');
    assert.deepEqual(await client.sendBatch(GOOD, [signup.item]), { kind: 'delivered', status: 200 }, 'a re-send after a crash is accepted');
    const stored = sim.person({ id: 'user-10001' })?.events.filter((e) => e.name === 'Signup') ?? [];
    assert.deepEqual(stored.map((e) => e.event_id), [(signup.item as { id: string }).id], 'and Customer.io keeps one Signup');
  },
  '10-anonymous-activity-merges-on-login': (testCase, _run, _accepted, sim) => {
    assert.deepEqual(sim.person({ id: 'user-10001' })?.events.map((e) => e.name), ['Pricing Viewed'], 'Customer.io merged the history');
    const off = mapCase({ ...testCase, sync: { send_events: { anonymous: false } } });
    assert.deepEqual(off.unsendable, [{ kind: 'event', reason: 'no identifier', eventType: 'Pricing Viewed' }]);
    assert.equal(off.sent.length, 1);
    assert.equal(off.sent[0]?.item.attributes.anonymous_id, undefined);
  },
  '13-rate-limited-waits-as-told': (_c, run) => {
    assert.deepEqual(run.outcomes[0], { kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    assert.equal(run.outcomes[1]?.kind, 'delivered');
  },
  '14-rejected-credentials-pause-the-sync': (_c, run) => {
    assert.equal(run.outcomes[0]?.kind === 'configuration' && run.outcomes[0].problem, 'credentials_rejected');
    assert.deepEqual(run.deadLettered, [], 'nothing is dead-lettered');
  },
  '15-size-limits': (_c, run, accepted) => {
    assert.equal(accepted.filter((e) => (e.item as { name: string }).name === 'Report Viewed').length, 60);
    assert.ok(run.batchBodies.length >= 2, 'at least two batch requests');
    assert.ok(run.batchBodies.every((bytes) => bytes <= 500_000));
    assert.equal(run.unsendable.length, 1);
    assert.equal(run.unsendable[0]?.eventType, 'Huge');
    assert.match(run.unsendable[0]?.reason ?? '', /32 KB/);
  },
};
