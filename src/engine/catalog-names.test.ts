import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcceptedEvent } from '../amplitude/event-validation.js';
import { CatalogCollector, eventCatalogNames, userPropertyNames } from './catalog-names.js';

function ev(fields: Partial<AcceptedEvent>): AcceptedEvent {
  return {
    payload: {},
    eventType: 'E',
    userId: 'u1',
    deviceId: null,
    time: 0,
    insertId: null,
    userProperties: null,
    skipUserPropertiesSync: false,
    ...fields,
  };
}

describe('eventCatalogNames', () => {
  it('gives the event type, the top-level event property keys and the user property names', () => {
    const names = eventCatalogNames(
      ev({
        eventType: 'Purchase',
        payload: { event_type: 'Purchase', event_properties: { price: 3, item: { sku: 'a' } }, user_properties: { plan: 'pro' } },
        userProperties: { plan: 'pro' },
      }),
    );
    assert.deepEqual(names, { eventType: 'Purchase', eventProperties: ['price', 'item'], userProperties: ['plan'] });
  });

  it('gives no event properties when event_properties is absent, null or not an object', () => {
    for (const eventProperties of [undefined, null, 'text', [1, 2]]) {
      const payload = eventProperties === undefined ? {} : { event_properties: eventProperties };
      assert.deepEqual(eventCatalogNames(ev({ payload })).eventProperties, [], JSON.stringify(eventProperties));
    }
  });

  it('keeps $identify out of event types but takes its user properties', () => {
    const names = eventCatalogNames(
      ev({ eventType: '$identify', payload: { event_properties: { ignored: 1 } }, userProperties: { $set: { email: 'a@b.c' } } }),
    );
    assert.deepEqual(names, { eventType: undefined, eventProperties: [], userProperties: ['email'] });
  });

  it('takes nothing from $groupidentify: its user_properties are group properties', () => {
    const names = eventCatalogNames(
      ev({ eventType: '$groupidentify', payload: { event_properties: { a: 1 } }, userProperties: { $set: { company_size: 5 } } }),
    );
    assert.deepEqual(names, { eventType: undefined, eventProperties: [], userProperties: [] });
  });

  it('takes the user property names of events that skip the profile update too (they were seen)', () => {
    const names = eventCatalogNames(ev({ skipUserPropertiesSync: true, userProperties: { plan: 'pro' } }));
    assert.deepEqual(names.userProperties, ['plan']);
  });

  it('keeps keys such as __proto__ as ordinary names', () => {
    const payload = JSON.parse('{"event_properties":{"__proto__":1,"constructor":2}}');
    assert.deepEqual(eventCatalogNames(ev({ payload })).eventProperties, ['__proto__', 'constructor']);
  });
});

describe('userPropertyNames', () => {
  it('names the operands of every operation, $unset included, and plain keys', () => {
    assert.deepEqual(
      userPropertyNames({
        $clearAll: '-',
        $set: { a: 1 },
        $setOnce: { b: 1 },
        $add: { c: 1 },
        $append: { d: 1 },
        $prepend: { e: 1 },
        $preInsert: { f: 1 },
        $postInsert: { g: 1 },
        $remove: { h: 1 },
        $unset: { i: '-' },
        plain: 1,
      }),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'plain'],
    );
  });

  it('takes the names a $unset lists', () => {
    assert.deepEqual(userPropertyNames({ $unset: ['x', 'y'] }), ['x', 'y']);
  });

  it('names nothing for $clearAll alone', () => {
    assert.deepEqual(userPropertyNames({ $clearAll: '-' }), []);
  });
});

describe('CatalogCollector', () => {
  it('lists each project, kind and name once, with the latest time it was seen', () => {
    const collector = new CatalogCollector();
    collector.add(1, 100, { eventType: 'A', eventProperties: ['p'], userProperties: ['u'] });
    collector.add(1, 300, { eventType: 'A', eventProperties: ['p', 'q'], userProperties: [] });
    collector.add(1, 200, { eventType: 'A', eventProperties: [], userProperties: ['u'] });
    collector.add(2, 50, { eventType: 'A', eventProperties: [], userProperties: ['p'] });
    assert.deepEqual(collector.names(), [
      { projectId: 1, kind: 'event_type', name: 'A', seenAt: 300 },
      { projectId: 1, kind: 'event_property', name: 'p', seenAt: 300 },
      { projectId: 1, kind: 'event_property', name: 'q', seenAt: 300 },
      { projectId: 1, kind: 'user_property', name: 'u', seenAt: 200 },
      { projectId: 2, kind: 'event_type', name: 'A', seenAt: 50 },
      { projectId: 2, kind: 'user_property', name: 'p', seenAt: 50 },
    ]);
  });
});
