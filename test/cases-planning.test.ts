/**
 * The planning half of every shared case: the case's requests become stored events through
 * ingest's own parsing, validation and processor, and `planDeliveries` plans them for the case's
 * sync. The planned items must be the case's `delivered` items, per person in order. Cases whose
 * outcome depends on Customer.io's replies (06, 13, 14) are checked here only for what is
 * planned; test/cases-mapping.test.ts sends the same plans to the simulator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../src/amplitude/plain-data.js';
import { utf8ByteLength } from '../src/customerio/utf8.js';
import { assertDeliveredItems, planCase, type CasePlanning } from './helpers/case-planning.js';
import { loadCases, type Case } from './helpers/cases.js';

const cases = loadCases();

const itemName = (entry: CasePlanning['items'][number]) => (entry.item.action === 'event' ? entry.item.name : undefined);

/** What is planned where it differs from what Customer.io ends up with. */
const PLANNED_BEYOND_DELIVERED: Record<string, JsonObject[]> = {
  // Customer.io rejects this item in its 207 reply; it is planned like the others.
  '06-partial-batch-failure': [{ action: 'event', identifiers: { id: 'user-10002' }, name: 'Bad Event' }],
};

/** Events that cannot be sent, by case; every other case discards nothing. */
const DISCARDED: Record<string, Array<{ action: string; eventType: string; reason: RegExp }>> = {
  '15-size-limits': [{ action: 'event', eventType: 'Huge', reason: /over Customer\.io's 32000-byte \(32 KB\) limit/ }],
};

/** What each case says in words (`not_delivered`, string `delivered`), checked on the plan. */
const CHECKS: Record<string, (testCase: Case, planning: CasePlanning) => void> = {
  '04-created-at-only-when-set': (_c, planning) => {
    assert.equal(planning.items.length, 3, 'no fourth identify');
    assert.equal(planning.items.filter((entry) => 'created_at' in entry.item.attributes).length, 1, 'created_at only where the client sent it');
  },
  '05-long-attribute-value-cut-on-a-character-boundary': (_c, planning) => {
    assert.deepEqual(planning.adjustments, [{ kind: 'value_cut', attribute: 'bio', fromBytes: 1200, toBytes: 1000 }], 'the cut is counted');
    assert.ok(utf8ByteLength(planning.items[0]?.item.attributes.bio as string) <= 1000);
  },
  '08-long-event-names': (_c, planning) => {
    assert.deepEqual(planning.adjustments.map((a) => a.kind), ['event_name_cut', 'event_name_cut'], 'each cut is counted');
  },
  '09-duplicates-never-double-count': (testCase, planning) => {
    assert.deepEqual(planning.items.map(itemName), ['Signup', 'Click', 'Click'], 'exactly one Signup');
    const ids = planning.items.map((entry) => (entry.item as { id: string }).id);
    assert.equal(new Set(ids).size, 3, 'the two Click items have different ids');
    for (const id of ids) assert.ok(!['user-10001', 'device-0001', 'evt-0001'].includes(id), 'no id is a user id, device id or insert_id');
    assert.deepEqual(planCase(testCase).items.map((entry) => (entry.item as { id: string }).id)[0], ids[0], 'the same event always gets the same id');
  },
  '10-anonymous-activity-merges-on-login': (testCase, planning) => {
    assert.deepEqual(planning.discarded, []);
    const off = planCase(testCase, { send_events: { anonymous: false } });
    assert.deepEqual(off.discarded, [{ action: 'event', reason: 'no identifier', eventType: 'Pricing Viewed' }], 'anonymous off: discarded, with the reason');
    assert.deepEqual(
      off.items.map((entry) => entry.item.attributes),
      [{ plan: 'pro' }],
      'and the identify has nothing to merge',
    );
  },
  '11-short-ids-and-min-id-length': (_c, planning) => {
    assert.equal(planning.records.length, 1, 'nothing from the refused request is stored');
  },
  '15-size-limits': (_c, planning) => {
    assert.equal(planning.items.length, 60);
    assert.ok(planning.items.every((entry) => entry.action === 'event' && itemName(entry) === 'Report Viewed'), "all 60 'Report Viewed' events");
  },
};

describe('cases: planning', () => {
  it('covers all 17 cases', () => {
    assert.equal(cases.length, 17);
  });

  for (const testCase of cases) {
    it(testCase.case, () => {
      const planning = planCase(testCase);
      if (Array.isArray(testCase.delivered)) {
        const beyond = PLANNED_BEYOND_DELIVERED[testCase.case] ?? [];
        assertDeliveredItems([...(testCase.delivered as JsonObject[]), ...beyond], planning.items);
      }
      const discarded = DISCARDED[testCase.case] ?? [];
      assert.equal(planning.discarded.length, discarded.length, `discarded: ${JSON.stringify(planning.discarded)}`);
      discarded.forEach((expected, index) => {
        const actual = planning.discarded[index];
        assert.equal(actual?.action, expected.action);
        assert.equal(actual?.eventType, expected.eventType);
        assert.match(actual?.reason ?? '', expected.reason);
      });
      const { eventsDelivered, eventsNotDelivered } = testCase.metrics ?? {};
      if (eventsDelivered !== undefined && eventsNotDelivered !== undefined) {
        const plannedEvents = planning.items.filter((entry) => entry.action === 'event').length;
        const discardedEvents = planning.discarded.filter((entry) => entry.action === 'event').length;
        assert.equal(plannedEvents + discardedEvents, eventsDelivered + eventsNotDelivered, 'every event the metrics count was planned or discarded');
        assert.ok(discardedEvents <= eventsNotDelivered, 'a discarded event counts as not delivered');
      }
      CHECKS[testCase.case]?.(testCase, planning);
    });
  }
});
