import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, isValid } from 'ulid';
import { DEFAULT_MAPPING_OPTIONS, stringifyValue, type MappingOptions } from './attribute-values.js';
import { mapEventToItem, mapUserUpdateToItems, type EventAddressing, type MappableEvent, type MappableUserUpdate } from './mapping.js';
import type { PersonEventItem, PersonIdentifyItem } from './track-items.js';
import { jsonByteLength, utf8ByteLength } from './utf8.js';

const options: MappingOptions = DEFAULT_MAPPING_OPTIONS;
const event: MappableEvent = {
  projectId: 7,
  insertId: 'ins-1',
  deviceId: 'dev-1',
  userId: 'user-10001',
  eventType: 'Order Completed',
  time: 1767225600999,
  attributes: { total: 42.5, currency: 'EUR' },
};
const byUser: EventAddressing = { identifierValue: 'user-10001', sendAnonymous: false };

function mappedEvent(input: MappableEvent, addressing = byUser, opts = options): PersonEventItem {
  const result = mapEventToItem(input, addressing, opts);
  assert.ok(result.ok, JSON.stringify(result));
  return result.item;
}

function update(changed: MappableUserUpdate['changed'], extra: Partial<MappableUserUpdate> = {}): MappableUserUpdate {
  return { identifierValue: 'user-10001', changed, processedAt: 1767300000500, ...extra };
}

function mappedItems(input: MappableUserUpdate, opts = options): PersonIdentifyItem[] {
  const result = mapUserUpdateToItems(input, opts);
  assert.ok(result.ok, JSON.stringify(result));
  return result.items;
}

describe('mapEventToItem', () => {
  it('makes a person event with the name, whole seconds, a stable ULID and the attributes', () => {
    const item = mappedEvent(event);
    assert.deepEqual({ ...item, id: '' }, {
      type: 'person',
      action: 'event',
      identifiers: { id: 'user-10001' },
      name: 'Order Completed',
      id: '',
      timestamp: 1767225600,
      attributes: { total: 42.5, currency: 'EUR' },
    });
    assert.ok(isValid(item.id));
    assert.equal(decodeTime(item.id), event.time);
    assert.equal(mappedEvent(event).id, item.id);
  });

  it('floors the time to whole seconds', () => {
    assert.equal(mappedEvent({ ...event, time: 1767225600000 }).timestamp, 1767225600);
    assert.equal(mappedEvent({ ...event, time: 1767225600999 }).timestamp, 1767225600);
  });

  it('cuts a long name to 100 bytes on a character boundary and records the cut', () => {
    const result = mapEventToItem({ ...event, eventType: `${'é'.repeat(60)}` }, byUser, options);
    assert.ok(result.ok);
    assert.equal(result.item.name, 'é'.repeat(50));
    assert.deepEqual(result.adjustments, [{ kind: 'event_name_cut', fromBytes: 120, toBytes: 100 }]);
    const exact = mapEventToItem({ ...event, eventType: 'x'.repeat(100) }, byUser, options);
    assert.ok(exact.ok);
    assert.equal(exact.item.name.length, 100);
    assert.deepEqual(exact.adjustments, []);
  });

  it('refuses a blank name', () => {
    assert.deepEqual(mapEventToItem({ ...event, eventType: '  ' }, byUser, options), { ok: false, reason: 'event name is blank', adjustments: [] });
  });

  it('addresses the person by the identifier rules', () => {
    assert.deepEqual(mappedEvent(event, { identifierValue: 'cio_abc', sendAnonymous: false }).identifiers, { cio_id: 'abc' });
    assert.deepEqual(mappedEvent(event, { identifierValue: 'a@b.co', sendAnonymous: false }).identifiers, { email: 'a@b.co' });
    assert.deepEqual(mappedEvent(event, { identifierValue: 12345, sendAnonymous: false }).identifiers, { id: '12345' });
    const tooLong = mapEventToItem(event, { identifierValue: 'x'.repeat(151), sendAnonymous: false }, options);
    assert.equal(tooLong.ok, false);
  });

  it('sends an event without an identifier as anonymous only when the sync allows it', () => {
    const anonymous = { ...event, userId: null };
    assert.deepEqual(mappedEvent(anonymous, { identifierValue: null, sendAnonymous: true }).identifiers, { anonymous_id: 'dev-1' });
    assert.deepEqual(mapEventToItem(anonymous, { identifierValue: null, sendAnonymous: false }, options), {
      ok: false,
      reason: 'no identifier',
      adjustments: [],
    });
    assert.equal(mapEventToItem({ ...anonymous, deviceId: null }, { identifierValue: null, sendAnonymous: true }, options).ok, false);
  });

  it('converts ISO dates in event attributes when convert_dates is on, and not when off', () => {
    const dated = { ...event, attributes: { at: '2025-06-01T00:00:00Z', list: ['2026-07-04'] } };
    assert.deepEqual(mappedEvent(dated).attributes, { at: 1748736000, list: [1783123200] });
    assert.deepEqual(mappedEvent(dated, byUser, { convertDates: false, stringifyValues: false }).attributes, dated.attributes);
  });

  it('refuses an item over 32,000 bytes with a reason naming the limit', () => {
    const huge = mapEventToItem({ ...event, attributes: { blob: 'x'.repeat(40_000) } }, byUser, options);
    assert.equal(huge.ok, false);
    assert.match((huge as { reason: string }).reason, /over Customer\.io's 32000-byte \(32 KB\) limit for one item/);
    const fits = mapEventToItem({ ...event, attributes: { blob: 'x'.repeat(31_000) } }, byUser, options);
    assert.ok(fits.ok);
    assert.ok(jsonByteLength(fits.item) <= 32_000);
  });
});

describe('mapUserUpdateToItems', () => {
  it('sends the changed properties as an identify stamped with the processing time', () => {
    assert.deepEqual(mappedItems(update({ plan: { from: 'free', to: 'pro' }, logins: { to: 3 } })), [
      {
        type: 'person',
        action: 'identify',
        identifiers: { id: 'user-10001' },
        timestamp: 1767300000,
        attributes: { plan: 'pro', logins: 3 },
      },
    ]);
  });

  it('sends a removed property as an empty string', () => {
    assert.deepEqual(mappedItems(update({ first_seen: { from: 'web' } }))[0]?.attributes, { first_seen: '' });
    assert.deepEqual(mappedItems(update({ first_seen: { from: 'web', to: undefined } }))[0]?.attributes, { first_seen: '' });
  });

  it('carries anonymous_id when the device had anonymous activity', () => {
    assert.deepEqual(mappedItems(update({ plan: { to: 'pro' } }, { anonymousId: 'dev-abc-123' }))[0]?.attributes, {
      plan: 'pro',
      anonymous_id: 'dev-abc-123',
    });
    assert.deepEqual(mappedItems(update({}, { anonymousId: 'dev-abc-123' }))[0]?.attributes, { anonymous_id: 'dev-abc-123' });
  });

  it('sends nothing when nothing changed', () => {
    assert.deepEqual(mappedItems(update({})), []);
  });

  it('sends one identify without attributes when asked to, so the person exists in Customer.io', () => {
    assert.deepEqual(mappedItems(update({}, { evenWithoutAttributes: true })), [
      { type: 'person', action: 'identify', identifiers: { id: 'user-10001' }, timestamp: 1767300000, attributes: {} },
    ]);
    assert.deepEqual(mappedItems(update({ plan: { to: 'pro' } }, { evenWithoutAttributes: true })).map((item) => item.attributes), [
      { plan: 'pro' },
    ]);
  });

  it('cuts string values to 1000 bytes on a character boundary and counts each cut', () => {
    const result = mapUserUpdateToItems(update({ bio: { to: 'é'.repeat(600) }, plan: { to: 'pro' } }), options);
    assert.ok(result.ok);
    const bio = result.items[0]?.attributes.bio as string;
    assert.equal(bio, 'é'.repeat(500));
    assert.equal(utf8ByteLength(bio), 1000);
    assert.deepEqual(result.adjustments, [{ kind: 'value_cut', attribute: 'bio', fromBytes: 1200, toBytes: 1000 }]);
    const odd = mapUserUpdateToItems(update({ bio: { to: `x${'é'.repeat(600)}` } }), options);
    assert.ok(odd.ok);
    assert.equal(utf8ByteLength(odd.items[0]?.attributes.bio as string), 999);
  });

  it('leaves out an attribute whose name is over 150 bytes or whose JSON value is over 1000 bytes', () => {
    const result = mapUserUpdateToItems(
      update({ ['n'.repeat(151)]: { to: 1 }, list: { to: Array.from({ length: 300 }, (_, i) => `v${i}`) }, ok: { to: 1 } }),
      options,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.items[0]?.attributes, { ok: 1 });
    assert.deepEqual(
      result.adjustments.map((a) => a.kind),
      ['attribute_dropped', 'attribute_dropped'],
    );
  });

  it('splits more than 300 attributes over several identify items, all stamped alike', () => {
    const changed = Object.fromEntries(Array.from({ length: 650 }, (_, i) => [`p${i}`, { to: i }]));
    const items = mappedItems(update(changed));
    assert.deepEqual(items.map((item) => Object.keys(item.attributes).length), [300, 300, 50]);
    assert.ok(items.every((item) => item.timestamp === 1767300000));
    assert.equal(Object.keys(items[2]?.attributes ?? {})[49], 'p649');
  });

  it('splits attributes so that no item is over 32,000 bytes', () => {
    const changed = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, { to: 'x'.repeat(1000) }]));
    const items = mappedItems(update(changed));
    assert.ok(items.length >= 2);
    assert.ok(items.every((item) => jsonByteLength(item) <= 32_000));
    assert.equal(items.reduce((sum, item) => sum + Object.keys(item.attributes).length, 0), 60);
  });

  it('converts dates, and never in a removal', () => {
    assert.deepEqual(mappedItems(update({ joined: { to: '2025-06-01T00:00:00Z' }, gone: { from: '2025-06-01' } }))[0]?.attributes, {
      joined: 1748736000,
      gone: '',
    });
  });

  it('refuses an update without a usable identifier', () => {
    assert.deepEqual(mapUserUpdateToItems(update({ a: { to: 1 } }, { identifierValue: '' }), options), {
      ok: false,
      reason: 'identifier is empty',
      adjustments: [],
    });
  });
});

describe('stringify_values', () => {
  const stringify: MappingOptions = { convertDates: true, stringifyValues: true };

  it('sends every value as a string, objects as JSON, after date conversion', () => {
    const items = mappedItems(
      update({ n: { to: 7 }, b: { to: true }, o: { to: { city: 'X' } }, a: { to: ['a', 1] }, d: { to: '2025-06-01' }, z: { to: null } }),
      stringify,
    );
    assert.deepEqual(items[0]?.attributes, { n: '7', b: 'true', o: '{"city":"X"}', a: '["a",1]', d: '1748736000', z: '' });
    assert.deepEqual(mappedEvent({ ...event, attributes: { total: 42.5 } }, byUser, stringify).attributes, { total: '42.5' });
  });

  it('is off by default: values keep their types', () => {
    assert.deepEqual(mappedItems(update({ n: { to: 7 }, o: { to: { zip: '01234' } } }))[0]?.attributes, { n: 7, o: { zip: '01234' } });
    assert.equal(stringifyValue('01234'), '01234');
  });
});
