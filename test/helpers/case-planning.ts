/**
 * A case's planning half, without HTTP or a store: its requests go through ingest's own parsing,
 * validation and processor (`ingestProcessor.process`, with the state a store would keep held in
 * memory across steps), and every stored event through `planDeliveries` for the case's sync,
 * with the sync's person and anonymous-device state kept across events the way the ingest commit
 * keeps it. Also the comparison of items with a case's `delivered` list.
 */
import assert from 'node:assert/strict';
import { decodeTime, isValid as isValidUlid } from 'ulid';
import { validateEvents } from '../../src/amplitude/event-validation.js';
import { isPlainObject, jsonEqual, type JsonObject } from '../../src/amplitude/plain-data.js';
import { parseIdentifyFields, parseUploadBody, type EnvelopeResult } from '../../src/amplitude/upload-request.js';
import type { Adjustment } from '../../src/customerio/attribute-values.js';
import type { TrackItem } from '../../src/customerio/track-items.js';
import { ingestProcessor } from '../../src/engine/ingest-processor.js';
import { dedupeKey, deviceKey, profileKey } from '../../src/store/state-keys.js';
import type { EventRecord, IngestEvent, IngestSource, IngestState, IngestWrites } from '../../src/store/types.js';
import { applyMergePatch } from '../../src/sync/merge-patch.js';
import { planDeliveries, type PlannedAction, type SyncPersonState } from '../../src/sync/plan-deliveries.js';
import type { SyncConfig } from '../../src/sync/sync-schema.js';
import { validateSyncInput } from '../../src/sync/sync-validation.js';
import type { Case, CaseStep } from './cases.js';

export const CASE_PROJECT_ID = 1;
/** Credentials the simulator accepts in the case tests; a case's `sync.customerio` may replace them. */
export const CASE_CREDENTIALS = { site_id: 'case-site', api_key: 'case-key', region: 'us' } as const;
/** When the case's requests arrive: after every event time in the cases. */
export const CASE_RECEIVED_AT = Date.UTC(2026, 0, 1, 1);

/** A delivery the case's sync planned, with what the case needs to know about its event. */
export interface PlannedCaseItem {
  item: TrackItem;
  action: PlannedAction;
  eventType: string;
  /** The event's time in ms (the time part of an event item's ULID). */
  eventTime: number;
}

export interface CasePlanning {
  sync: SyncConfig;
  /** The events ingest stored, in order. */
  records: EventRecord[];
  /** Planned deliveries in planning order. */
  items: PlannedCaseItem[];
  discarded: Array<{ action: PlannedAction; reason: string; eventType: string }>;
  filteredOut: Array<{ reason: string; eventType: string }>;
  adjustments: Adjustment[];
}

/** The case's sync: the README's defaults, the case's `sync` merged over them, then `override`. */
export function caseSync(testCase: Case, override: JsonObject = {}): SyncConfig {
  const base = { name: testCase.case, project_id: CASE_PROJECT_ID, customerio: { ...CASE_CREDENTIALS } };
  return validateSyncInput(applyMergePatch(applyMergePatch(base, testCase.sync ?? {}), override), 'create');
}

function parseStep(send: NonNullable<CaseStep['send']>): { parsed: EnvelopeResult; source: IngestSource } {
  if (send.path === '/identify') return { parsed: parseIdentifyFields(send.form ?? {}), source: 'identify' };
  assert.ok(send.path === '/2/httpapi' || send.path === '/batch', `a path this harness knows: ${send.path}`);
  return { parsed: parseUploadBody(JSON.stringify(send.json)), source: send.path === '/batch' ? 'batch' : 'httpapi' };
}

/** What a store does with a batch's writes, so the next batch reads them. */
function keepWrites(state: IngestState, writes: IngestWrites): void {
  for (const event of writes.events) {
    if (!event.insertIdGenerated) state.seenInsertIds.add(dedupeKey(event.projectId, event.deviceId ?? '', event.insertId));
  }
  for (const link of writes.deviceLinks) state.deviceLinks.set(deviceKey(link.projectId, link.deviceId), link.userId);
  for (const profile of writes.profiles) state.profiles.set(profileKey(profile.projectId, profile.personKey), profile.properties);
}

/** The accepted events of one step, as ingest validates them; undefined when ingest refuses the request. */
function acceptedEvents(send: NonNullable<CaseStep['send']>, nextInsertId: () => string): { events: IngestEvent[]; source: IngestSource } | undefined {
  const { parsed, source } = parseStep(send);
  if (!parsed.ok) return undefined;
  const validation = validateEvents(parsed.envelope.events, {
    minIdLength: parsed.envelope.minIdLength,
    receivedAt: CASE_RECEIVED_AT,
    kind: source === 'identify' ? 'identify' : 'event',
  });
  if (!validation.ok) return undefined;
  const events = validation.events.map((event) =>
    event.insertId === null
      ? { ...event, insertId: nextInsertId(), insertIdGenerated: true }
      : { ...event, insertId: event.insertId, insertIdGenerated: false },
  );
  return { events, source };
}

/** Plans a case's accepted requests for its sync (see the module comment). */
export function planCase(testCase: Case, override: JsonObject = {}): CasePlanning {
  const sync = caseSync(testCase, override);
  const planning: CasePlanning = { sync, records: [], items: [], discarded: [], filteredOut: [], adjustments: [] };
  const state: IngestState = { seenInsertIds: new Set(), deviceLinks: new Map(), profiles: new Map() };
  const persons = new Map<string, SyncPersonState>();
  const pendingDevices = new Set<string>();
  let generated = 0;

  testCase.steps.forEach((step, index) => {
    if (step.send === undefined) return;
    const accepted = acceptedEvents(step.send, () => `generated-${++generated}`);
    if (step.expect?.status !== 200) {
      assert.equal(accepted, undefined, `${testCase.case} step ${index + 1}: ingest refuses the request the case expects refused`);
      return;
    }
    assert.ok(accepted !== undefined, `${testCase.case} step ${index + 1}: ingest accepts the request`);
    const unit = { projectId: CASE_PROJECT_ID, source: accepted.source, requestId: `step-${index + 1}`, receivedAt: CASE_RECEIVED_AT, events: accepted.events };
    const writes = ingestProcessor.process([unit], state);
    keepWrites(state, writes);

    for (const event of writes.events) {
      planning.records.push(event);
      const result = planDeliveries({
        sync,
        event,
        person: persons.get(event.personKey),
        anonymousDevicePending: event.deviceId !== null && pendingDevices.has(event.deviceId),
        now: CASE_RECEIVED_AT,
      });
      if (result.person !== undefined) persons.set(event.personKey, result.person);
      if (result.anonymousDevice === 'pending') pendingDevices.add(event.deviceId as string);
      if (result.anonymousDevice === 'merged') pendingDevices.delete(event.deviceId as string);
      for (const outcome of result.outcomes) {
        const about = { eventType: event.eventType };
        if (outcome.kind === 'filtered_out') {
          planning.filteredOut.push({ reason: outcome.reason, ...about });
          continue;
        }
        planning.adjustments.push(...outcome.adjustments);
        // unsendable (too large) items never reach Customer.io either: the engine dead-letters them
        if (outcome.kind === 'discarded' || outcome.kind === 'unsendable') {
          planning.discarded.push({ action: outcome.action, reason: outcome.reason, ...about });
        }
        else planning.items.push({ item: outcome.item, action: outcome.action, eventTime: event.time, ...about });
      }
    }
  });
  return planning;
}

/** Every field the case shows must be equal; `"<ulid>"` is a ULID whose time part is the event's time. */
export function assertItemMatches(actual: PlannedCaseItem | undefined, expected: JsonObject, label: string): void {
  assert.ok(actual !== undefined, `${label}: missing`);
  const item = actual.item as unknown as JsonObject;
  for (const [field, value] of Object.entries(expected)) {
    if (value === '<ulid>') {
      assert.ok(typeof item.id === 'string' && isValidUlid(item.id), `${label}: id is a ULID`);
      assert.equal(decodeTime(item.id), actual.eventTime, `${label}: the ULID's time is the event time`);
      continue;
    }
    assert.ok(jsonEqual(item[field], value), `${label}: ${field} is ${JSON.stringify(item[field])}, expected ${JSON.stringify(value)}`);
  }
}

function personOf(item: JsonObject): string {
  return JSON.stringify(item.identifiers ?? null);
}

function groupBy<T>(list: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of list) groups.set(key(value), [...(groups.get(key(value)) ?? []), value]);
  return groups;
}

/**
 * A case's `delivered` list against items: per person in order (one sequence when the case names
 * no person), and complete: the same persons, and no other items for them.
 */
export function assertDeliveredItems(expected: readonly JsonObject[], actual: readonly PlannedCaseItem[]): void {
  assert.ok(expected.every(isPlainObject));
  const byPerson = expected.every((item) => item.identifiers !== undefined);
  const expectedGroups = groupBy(expected, (item) => (byPerson ? personOf(item) : ''));
  const actualGroups = groupBy(actual, (entry) => (byPerson ? personOf(entry.item as unknown as JsonObject) : ''));
  assert.deepEqual([...actualGroups.keys()].sort(), [...expectedGroups.keys()].sort(), 'the same persons get items');
  for (const [person, items] of expectedGroups) {
    const received = actualGroups.get(person) ?? [];
    assert.equal(received.length, items.length, `${person}: ${received.length} items, ${items.length} expected`);
    items.forEach((item, index) => assertItemMatches(received[index], item, `${person} item ${index}`));
  }
}
