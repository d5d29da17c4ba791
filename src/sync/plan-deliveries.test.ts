import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, isValid as isValidUlid } from 'ulid';
import type { JsonObject } from '../amplitude/plain-data.js';
import type { PersonEventItem, PersonIdentifyItem } from '../customerio/track-items.js';
import type { EventRecord } from '../store/types.js';
import { planDeliveries, type PlanInput, type PlannedOutcome, type PlanResult, type SyncPersonState } from './plan-deliveries.js';
import type { SyncConfig } from './sync-schema.js';
import { validateSyncInput } from './sync-validation.js';

const T = 1767225600000;
const NOW = T + 3_600_000;
const IDENTIFIED: SyncPersonState = { identified: true };

function sync(settings: JsonObject = {}): SyncConfig {
  return validateSyncInput({ name: 'test', project_id: 1, customerio: { site_id: 's', api_key: 'k' }, ...settings }, 'create');
}

function record(fields: Partial<EventRecord> = {}): EventRecord {
  const userId = fields.userId === undefined ? 'user-10001' : fields.userId;
  const deviceId = fields.deviceId === undefined ? 'dev-1' : fields.deviceId;
  const eventType = fields.eventType ?? 'Order Completed';
  return {
    projectId: 1,
    receivedAt: NOW,
    requestId: 'req-1',
    source: 'httpapi',
    insertId: 'ins-1',
    insertIdGenerated: false,
    eventType,
    time: T,
    userId,
    deviceId,
    personKey: userId !== null ? `user:${userId}` : `device:${deviceId}`,
    payload: { event_type: eventType, user_id: userId, device_id: deviceId, event_properties: { total: 42.5 } },
    userProperties: {},
    changes: null,
    firstSeen: false,
    ...fields,
  };
}

function plan(config: SyncConfig, event: EventRecord, extra: Partial<PlanInput> = {}): PlanResult {
  return planDeliveries({ sync: config, event, person: IDENTIFIED, anonymousDevicePending: false, now: NOW, ...extra });
}

/** Outcomes in a compact, comparable form. */
function summary(outcomes: PlannedOutcome[]): unknown[] {
  return outcomes.map((outcome) => {
    if (outcome.kind === 'filtered_out') return ['filtered_out', outcome.reason];
    if (outcome.kind === 'discarded' || outcome.kind === 'unsendable') return [outcome.kind, outcome.action, outcome.reason];
    const { item } = outcome;
    return item.action === 'event' ? ['event', item.identifiers, item.name, item.attributes] : ['identify', item.identifiers, item.attributes];
  });
}

function eventItem(result: PlanResult): PersonEventItem {
  const outcome = result.outcomes.find((o) => o.kind === 'delivery' && o.action === 'event');
  assert.ok(outcome?.kind === 'delivery', JSON.stringify(result));
  return outcome.item as PersonEventItem;
}

function identifyItems(result: PlanResult): PersonIdentifyItem[] {
  return result.outcomes.flatMap((o) => (o.kind === 'delivery' && o.action === 'identify' ? [o.item as PersonIdentifyItem] : []));
}

const profileEvent = (userProperties: JsonObject, changes: EventRecord['changes']) =>
  record({ eventType: '$identify', payload: { user_id: 'user-10001' }, userProperties, changes });

describe('planDeliveries: Send Events', () => {
  it('plans an event item addressed by user_id, named by the event type, with the event properties', () => {
    const result = plan(sync(), record());
    assert.deepEqual(summary(result.outcomes), [['event', { id: 'user-10001' }, 'Order Completed', { total: 42.5 }]]);
    const item = eventItem(result);
    assert.equal(item.timestamp, T / 1000);
    assert.ok(isValidUlid(item.id));
    assert.equal(decodeTime(item.id), T);
    assert.deepEqual(result.person, undefined);
    assert.equal(result.anonymousDevice, undefined);
  });

  it('gives the same item, with the same id, every time the same event is planned', () => {
    assert.deepEqual(plan(sync(), record()), plan(sync(), record()));
    assert.notEqual(eventItem(plan(sync(), record())).id, eventItem(plan(sync(), record({ insertId: 'ins-2' }))).id);
  });

  it('never sends $identify or $groupidentify as events', () => {
    assert.deepEqual(plan(sync(), record({ eventType: '$identify' })).outcomes, []);
    assert.deepEqual(plan(sync(), record({ eventType: '$groupidentify' })).outcomes, []);
  });

  it('filters out every event with Send Events off, and events no row selects', () => {
    assert.deepEqual(summary(plan(sync({ send_events: { enabled: false } }), record()).outcomes), [['filtered_out', 'send events is off']]);
    const signupsOnly = sync({ send_events: { events: [{ event_type: 'Signup' }] } });
    assert.deepEqual(summary(plan(signupsOnly, record()).outcomes), [['filtered_out', 'no event selection row matches']]);
    assert.equal(plan(signupsOnly, record({ eventType: 'Signup' })).outcomes[0]?.kind, 'delivery');
  });

  it('filters on the stored user_id: a device-only event of a linked device counts as the user\'s', () => {
    const known = sync({ send_events: { events: [{ event_type: '*', where: [{ scope: 'field', property: 'user_id', op: 'is not', values: ['(none)'] }] }] } });
    const linked = record({ userId: 'user-10001', payload: { event_type: 'Order Completed', device_id: 'dev-1' } });
    assert.deepEqual(summary(plan(known, linked).outcomes), [['event', { id: 'user-10001' }, 'Order Completed', {}]]);
    assert.equal(plan(known, record({ userId: null })).outcomes[0]?.kind, 'filtered_out');
  });

  it('filters on event and user properties, the user properties being the profile after the event', () => {
    const proBigOrders = sync({
      send_events: {
        events: [
          {
            event_type: 'Order Completed',
            where: [
              { scope: 'event', property: 'total', op: 'greater or equal', values: [40] },
              { scope: 'user', property: 'plan', op: 'is', values: ['pro'] },
            ],
          },
        ],
      },
    });
    assert.equal(plan(proBigOrders, record({ userProperties: { plan: 'pro' } })).outcomes[0]?.kind, 'delivery');
    assert.equal(plan(proBigOrders, record({ userProperties: { plan: 'free' } })).outcomes[0]?.kind, 'filtered_out');
  });

  it('sends the selected event and user properties, the event property winning on a clash', () => {
    const config = sync({ send_events: { properties: { event: ['total', 'plan'], user: ['plan', 'email'] } }, send_users: { enabled: false } });
    const event = record({
      payload: { event_type: 'Order Completed', event_properties: { total: 1, plan: 'event-plan', other: 2 } },
      userProperties: { plan: 'pro', email: 'a@example.com', age: 40 },
    });
    assert.deepEqual(eventItem(plan(config, event)).attributes, { plan: 'event-plan', email: 'a@example.com', total: 1 });
  });

  it('discards an event without an identifier, with the reason', () => {
    const result = plan(sync(), record({ userId: null }));
    assert.deepEqual(summary(result.outcomes), [['discarded', 'event', 'no identifier']]);
    assert.equal(result.anonymousDevice, undefined);
  });

  it('sends an event without an identifier as anonymous when the sync allows it, and marks the device pending', () => {
    const result = plan(sync({ send_events: { anonymous: true } }), record({ userId: null }));
    assert.deepEqual(summary(result.outcomes), [['event', { anonymous_id: 'dev-1' }, 'Order Completed', { total: 42.5 }]]);
    assert.equal(result.anonymousDevice, 'pending');
  });

  it('addresses by a user property when the identifier says so, email-shaped values as email', () => {
    const byEmail = sync({ identifier: { from: 'user_property', name: 'email' } });
    assert.deepEqual(eventItem(plan(byEmail, record({ userProperties: { email: 'a@example.com' } }))).identifiers, { email: 'a@example.com' });
    assert.deepEqual(eventItem(plan(byEmail, record({ userProperties: { email: 'cio_abc' } }))).identifiers, { cio_id: 'abc' });
    assert.deepEqual(summary(plan(byEmail, record({ userProperties: {} })).outcomes), [['discarded', 'event', 'no identifier']]);
    const anonymousByEmail = sync({ identifier: { from: 'user_property', name: 'email' }, send_events: { anonymous: true } });
    assert.deepEqual(eventItem(plan(anonymousByEmail, record({ userProperties: { email: '' } }))).identifiers, { anonymous_id: 'dev-1' });
  });

  it('marks an item too large for Customer.io unsendable, discards one without an identifier, naming the limit, and passes on what the mapping adjusted', () => {
    const huge = record({ payload: { event_type: 'Huge', event_properties: { blob: 'y'.repeat(40_000) } } });
    const [unsendable] = plan(sync(), huge).outcomes;
    assert.ok(unsendable?.kind === 'unsendable' && unsendable.action === 'event');
    assert.match(unsendable.reason, /32 KB/);
    const longId = plan(sync(), record({ userId: 'u'.repeat(151) })).outcomes;
    assert.deepEqual(summary(longId), [['discarded', 'event', "identifier is 151 bytes, over Customer.io's 150-byte limit"]]);
    const [cut] = plan(sync(), record({ eventType: 'x'.repeat(120) })).outcomes;
    assert.ok(cut?.kind === 'delivery');
    assert.deepEqual(cut.adjustments, [{ kind: 'event_name_cut', fromBytes: 120, toBytes: 100 }]);
  });

  it('applies the value options to event data', () => {
    const event = record({ payload: { event_type: 'E', event_properties: { at: '2025-06-01T00:00:00Z', n: 7 } } });
    assert.deepEqual(eventItem(plan(sync(), event)).attributes, { at: 1748736000, n: 7 });
    assert.deepEqual(eventItem(plan(sync({ options: { convert_dates: false } }), event)).attributes, { at: '2025-06-01T00:00:00Z', n: 7 });
    assert.deepEqual(eventItem(plan(sync({ options: { stringify_values: true } }), event)).attributes, { at: '1748736000', n: '7' });
  });
});

describe('planDeliveries: Send Users', () => {
  it('sends every selected property with a value the first time the sync sees a person, and remembers it', () => {
    const event = profileEvent({ plan: 'pro', logins: 1, cleared: null }, { logins: { from: 0, to: 1 } });
    const result = plan(sync(), event, { person: undefined });
    assert.deepEqual(summary(result.outcomes), [['identify', { id: 'user-10001' }, { plan: 'pro', logins: 1 }]]);
    assert.deepEqual(result.person, { identified: true });
    assert.equal(identifyItems(result)[0]?.timestamp, NOW / 1000, 'stamped with the processing time');
  });

  it('afterwards sends only the selected properties whose value changed, a removed one as ""', () => {
    const event = profileEvent({ plan: 'team', logins: 2 }, { plan: { from: 'pro', to: 'team' }, first_seen: { from: 'web' } });
    const result = plan(sync(), event);
    assert.deepEqual(summary(result.outcomes), [['identify', { id: 'user-10001' }, { plan: 'team', first_seen: '' }]]);
    assert.equal(result.person, undefined, 'the state did not change');
    assert.deepEqual(plan(sync(), profileEvent({ plan: 'team' }, null)).outcomes, [], 'nothing changed, nothing sent');
  });

  it('ignores changes to properties it does not select', () => {
    const planOnly = sync({ send_users: { properties: ['plan'] } });
    assert.deepEqual(plan(planOnly, profileEvent({ plan: 'pro', logins: 2 }, { logins: { from: 1, to: 2 } })).outcomes, []);
    assert.deepEqual(summary(plan(planOnly, profileEvent({ plan: 'pro', logins: 1 }, null), { person: undefined }).outcomes), [
      ['identify', { id: 'user-10001' }, { plan: 'pro' }],
    ]);
  });

  it('with "*" and nothing to send, plans no identify and keeps treating the person as new', () => {
    const result = plan(sync(), record({ userProperties: {} }), { person: undefined });
    assert.deepEqual(summary(result.outcomes), [['event', { id: 'user-10001' }, 'Order Completed', { total: 42.5 }]]);
    assert.equal(result.person, undefined);
  });

  it('with no property selected, sends one identify without attributes the first time only', () => {
    const none = sync({ send_users: { properties: [] } });
    const first = plan(none, record({ userProperties: { plan: 'pro' } }), { person: undefined });
    assert.deepEqual(summary(first.outcomes), [
      ['identify', { id: 'user-10001' }, {}],
      ['event', { id: 'user-10001' }, 'Order Completed', { total: 42.5 }],
    ]);
    assert.deepEqual(first.person, { identified: true });
    const later = plan(none, profileEvent({ plan: 'team' }, { plan: { from: 'pro', to: 'team' } }));
    assert.deepEqual(later.outcomes, []);
  });

  it('plans the identify before the event, so the event sees the new attributes', () => {
    const event = record({ userProperties: { plan: 'pro' }, changes: { plan: { to: 'pro' } } });
    assert.deepEqual(summary(plan(sync(), event).outcomes), [
      ['identify', { id: 'user-10001' }, { plan: 'pro' }],
      ['event', { id: 'user-10001' }, 'Order Completed', { total: 42.5 }],
    ]);
  });

  it('plans nothing for a person without an identifier, and leaves its state alone', () => {
    const deviceOnly = record({ userId: null, eventType: '$identify', userProperties: { plan: 'pro' }, changes: { plan: { to: 'pro' } } });
    const result = plan(sync(), deviceOnly, { person: undefined });
    assert.deepEqual(result, { outcomes: [] });
  });

  it('plans nothing with Send Users off', () => {
    const off = sync({ send_users: { enabled: false } });
    assert.deepEqual(plan(off, profileEvent({ plan: 'pro' }, { plan: { to: 'pro' } }), { person: undefined }), { outcomes: [] });
  });

  it('plans nothing for an event that skipped the profile ($skip_user_properties_sync)', () => {
    const skipped = record({
      payload: { event_type: 'E', $skip_user_properties_sync: true, user_properties: { $set: { plan: 'pro' } } },
      userProperties: { $set: { plan: 'pro' } },
    });
    assert.deepEqual(identifyItems(plan(sync(), skipped, { person: undefined })), []);
  });

  it('addresses the identify like the events: by the identifier property after this event', () => {
    const byEmail = sync({ identifier: { from: 'user_property', name: 'email' } });
    const result = plan(byEmail, profileEvent({ email: 'a@example.com', plan: 'pro' }, { email: { to: 'a@example.com' } }), { person: undefined });
    assert.deepEqual(summary(result.outcomes), [['identify', { email: 'a@example.com' }, { email: 'a@example.com', plan: 'pro' }]]);
  });

  it('discards an identify Customer.io would refuse, and keeps treating the person as new', () => {
    const result = plan(sync(), record({ userId: 'u'.repeat(151), eventType: '$identify', userProperties: { plan: 'pro' } }), { person: undefined });
    assert.deepEqual(summary(result.outcomes), [['discarded', 'identify', "identifier is 151 bytes, over Customer.io's 150-byte limit"]]);
    assert.equal(result.person, undefined);
  });

  it('discards an identify whose every attribute is over the limits, counting the drops', () => {
    const result = plan(sync(), profileEvent({ ['n'.repeat(151)]: 1 }, { ['n'.repeat(151)]: { to: 1 } }));
    assert.equal(result.outcomes.length, 1);
    const [outcome] = result.outcomes;
    assert.ok(outcome?.kind === 'discarded' && outcome.action === 'identify');
    assert.deepEqual(outcome.adjustments.map((a) => a.kind), ['attribute_dropped']);
  });

  it('counts a cut value once even when the attributes are split over several identifies', () => {
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`p${i}`, i === 0 ? 'é'.repeat(600) : i]));
    const result = plan(sync(), profileEvent(many, null), { person: undefined });
    assert.equal(identifyItems(result).length, 2);
    assert.deepEqual(result.outcomes.flatMap((o) => (o.kind === 'filtered_out' ? [] : o.adjustments)).map((a) => a.kind), ['value_cut']);
  });
});

describe('planDeliveries: the identifier property changes', () => {
  const byEmail = sync({ identifier: { from: 'user_property', name: 'email' } });

  it('addresses the removal by the previous value when the identifier disappears ($clearAll), clearing the other selected properties', () => {
    const cleared = profileEvent({}, { email: { from: 'carol@example.com' }, plan: { from: 'team' } });
    const result = plan(byEmail, cleared);
    assert.deepEqual(summary(result.outcomes), [['identify', { email: 'carol@example.com' }, { plan: '' }]]);
    assert.equal(result.person, undefined);
    const unset = profileEvent({ plan: 'team' }, { email: { from: 'carol@example.com' } });
    assert.deepEqual(plan(byEmail, unset).outcomes, [], 'nothing else selected changed: nothing to send');
    const planOnly = sync({ identifier: { from: 'user_property', name: 'email' }, send_users: { properties: ['plan'] } });
    assert.deepEqual(summary(plan(planOnly, cleared).outcomes), [['identify', { email: 'carol@example.com' }, { plan: '' }]]);
    const off = sync({ identifier: { from: 'user_property', name: 'email' }, send_users: { enabled: false } });
    assert.deepEqual(plan(off, cleared).outcomes, []);
  });

  it('sends every selected value to a new identifier value: Customer.io sees a new person', () => {
    const moved = profileEvent({ email: 'new@example.com', plan: 'team' }, { email: { from: 'old@example.com', to: 'new@example.com' } });
    assert.deepEqual(summary(plan(byEmail, moved).outcomes), [['identify', { email: 'new@example.com' }, { email: 'new@example.com', plan: 'team' }]]);
    const back = profileEvent({ email: 'carol@example.com', plan: 'team' }, { email: { to: 'carol@example.com' } });
    assert.deepEqual(summary(plan(byEmail, back).outcomes), [['identify', { email: 'carol@example.com' }, { email: 'carol@example.com', plan: 'team' }]]);
  });

  it('never addresses by a previous value that was no identifier', () => {
    assert.deepEqual(plan(byEmail, profileEvent({}, { email: { from: '' }, plan: { from: 'team' } })).outcomes, []);
    assert.deepEqual(plan(sync(), profileEvent({}, { email: { from: 'a@b.co' }, plan: { from: 'team' } })).outcomes.length, 1, 'user_id identifiers never change this way');
  });
});

describe('planDeliveries: anonymous activity', () => {
  const anonymous = sync({ send_events: { anonymous: true } });

  it('merges the device\'s anonymous activity when its user is identified: the identify carries anonymous_id', () => {
    const login = profileEvent({ plan: 'pro' }, { plan: { to: 'pro' } });
    const result = plan(anonymous, { ...login, deviceId: 'dev-abc-123' }, { person: undefined, anonymousDevicePending: true });
    assert.deepEqual(summary(result.outcomes), [['identify', { id: 'user-10001' }, { plan: 'pro', anonymous_id: 'dev-abc-123' }]]);
    assert.equal(result.anonymousDevice, 'merged');
    assert.deepEqual(result.person, { identified: true });
  });

  it('merges even when nothing changed and even with Send Users off: an identify with only anonymous_id', () => {
    const login = record({ eventType: 'Login', payload: { event_type: 'Login' }, deviceId: 'dev-abc-123' });
    for (const config of [anonymous, sync({ send_events: { anonymous: true }, send_users: { enabled: false } })]) {
      const result = plan(config, login, { anonymousDevicePending: true });
      assert.deepEqual(summary(result.outcomes), [
        ['identify', { id: 'user-10001' }, { anonymous_id: 'dev-abc-123' }],
        ['event', { id: 'user-10001' }, 'Login', {}],
      ]);
      assert.equal(result.anonymousDevice, 'merged');
      assert.equal(result.person, undefined);
    }
  });

  it('does not merge without an identifier or without a device', () => {
    const stillAnonymous = plan(anonymous, record({ userId: null }), { anonymousDevicePending: true });
    assert.equal(stillAnonymous.anonymousDevice, 'pending');
    assert.deepEqual(identifyItems(stillAnonymous), []);
    const noDevice = plan(anonymous, record({ deviceId: null }), { anonymousDevicePending: true });
    assert.equal(noDevice.anonymousDevice, undefined);
    assert.deepEqual(identifyItems(noDevice), []);
  });

  it('does not merge when the identify cannot be sent', () => {
    const result = plan(anonymous, record({ userId: 'u'.repeat(151) }), { anonymousDevicePending: true });
    assert.equal(result.anonymousDevice, undefined);
    assert.deepEqual(result.outcomes.map((o) => o.kind), ['discarded', 'discarded']);
  });
});

describe('planDeliveries: merging the anonymous activity of devices linked to the user', () => {
  const byEmail = sync({ identifier: { from: 'user_property', name: 'email' }, send_events: { anonymous: true }, send_users: { properties: ['email'] } });
  const identify = (deviceId: string | null) =>
    record({
      eventType: '$identify',
      deviceId,
      payload: { event_type: '$identify' },
      userProperties: { email: 'userb@ex.test' },
      changes: { email: { to: 'userb@ex.test' } },
    });

  it('merges every pending linked device when the person gets an identifier, even from an identify without device_id: one identify per anonymous_id', () => {
    const result = plan(byEmail, identify(null), { person: undefined, linkedPendingDevices: ['dev-anon-B', 'dev-anon-C'] });
    assert.deepEqual(summary(result.outcomes), [
      ['identify', { email: 'userb@ex.test' }, { email: 'userb@ex.test', anonymous_id: 'dev-anon-B' }],
      ['identify', { email: 'userb@ex.test' }, { anonymous_id: 'dev-anon-C' }],
    ]);
    assert.deepEqual(result.mergedDevices, ['dev-anon-B', 'dev-anon-C']);
    assert.equal(result.anonymousDevice, undefined);
    assert.deepEqual(result.person, { identified: true });
  });

  it('merges the event\'s own device first, and never one device twice', () => {
    const result = plan(byEmail, identify('dev-own'), { anonymousDevicePending: true, linkedPendingDevices: ['dev-own', 'dev-other'] });
    assert.deepEqual(
      identifyItems(result).map((i) => i.attributes.anonymous_id),
      ['dev-own', 'dev-other'],
    );
    assert.equal(result.anonymousDevice, 'merged');
    assert.deepEqual(result.mergedDevices, ['dev-other']);
  });

  it('merges linked devices even with Send Users off, and not while the person has no identifier', () => {
    const off = sync({ identifier: { from: 'user_property', name: 'email' }, send_events: { anonymous: true }, send_users: { enabled: false } });
    const merged = plan(off, identify(null), { linkedPendingDevices: ['dev-anon-B'] });
    assert.deepEqual(summary(merged.outcomes), [['identify', { email: 'userb@ex.test' }, { anonymous_id: 'dev-anon-B' }]]);
    const noEmail = record({ eventType: 'Page Viewed', deviceId: null, payload: { event_type: 'Page Viewed' } });
    const notYet = plan(byEmail, noEmail, { linkedPendingDevices: ['dev-anon-B'] });
    assert.deepEqual(identifyItems(notYet), []);
    assert.equal(notYet.mergedDevices, undefined);
  });

  it('merges nothing when the identify cannot be sent', () => {
    const result = plan(sync({ send_events: { anonymous: true } }), record({ userId: 'u'.repeat(151), deviceId: null }), { linkedPendingDevices: ['dev-anon-B'] });
    assert.equal(result.mergedDevices, undefined);
  });
});

describe('planDeliveries: purity', () => {
  it('modifies neither the sync nor the event', () => {
    const config = sync({ send_events: { anonymous: true } });
    const event = record({ userProperties: { plan: 'pro' }, changes: { plan: { to: 'pro' } } });
    const before = structuredClone({ config, event });
    plan(config, event, { person: undefined, anonymousDevicePending: true });
    assert.deepEqual({ config, event }, before);
  });
});
