import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvents, type EventValidationResult } from './event-validation.js';
import { MAX_EVENT_TIME_AHEAD_MS, MIN_EVENT_TIME_MS } from './limits.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

function check(events: unknown[], minIdLength = 5, kind: 'event' | 'identify' = 'event'): EventValidationResult {
  return validateEvents(events, { minIdLength, receivedAt: NOW, kind });
}

function problems(events: unknown[], minIdLength = 5) {
  const result = check(events, minIdLength);
  assert.equal(result.ok, false, 'expected the events to be refused');
  return (result as Extract<EventValidationResult, { ok: false }>).problems;
}

function accepted(events: unknown[], minIdLength = 5) {
  const result = check(events, minIdLength);
  assert.equal(result.ok, true, `expected the events to be accepted: ${JSON.stringify(result)}`);
  return (result as Extract<EventValidationResult, { ok: true }>).events;
}

describe('validateEvents', () => {
  it('accepts a minimal event and fills a missing time with the receive time', () => {
    const [event] = accepted([{ user_id: 'user-1', event_type: 'Login' }]);
    assert.equal(event?.time, NOW);
    assert.equal(event?.userId, 'user-1');
    assert.equal(event?.deviceId, null);
    assert.equal(event?.payload.time, undefined, 'the stored payload keeps what was sent');
  });

  it('needs event_type and one of user_id or device_id', () => {
    assert.deepEqual(problems([{ user_id: 'user-1' }, { event_type: 'x' }, { user_id: 'user-1', event_type: '' }]), {
      invalidFields: {},
      missingFields: { event_type: [0, 2], user_id: [1], device_id: [1] },
      invalidIdLengths: {},
    });
  });

  it('refuses ids shorter than min_id_length, and honours a lower min_id_length', () => {
    assert.deepEqual(problems([{ user_id: '42', event_type: 'x' }, { device_id: 'dev', event_type: 'x' }]).invalidIdLengths, {
      user_id: [0],
      device_id: [1],
    });
    assert.equal(accepted([{ user_id: '42', event_type: 'x' }], 1)[0]?.userId, '42');
  });

  it('removes a too-short id from an event that keeps a valid other id, and accepts the event', () => {
    const [byDevice, byUser] = accepted([
      { user_id: 'ab', device_id: 'device-xyz-1', event_type: 'x' },
      { user_id: 'user-12345', device_id: 'dev', event_type: 'y' },
    ]);
    assert.equal(byDevice?.userId, null);
    assert.equal(byDevice?.deviceId, 'device-xyz-1');
    assert.equal(Object.hasOwn(byDevice?.payload ?? {}, 'user_id'), false, 'the short id is not stored');
    assert.equal(byUser?.userId, 'user-12345');
    assert.equal(byUser?.deviceId, null);
    assert.equal(Object.hasOwn(byUser?.payload ?? {}, 'device_id'), false);
  });

  it('refuses an event only when removing its too-short ids leaves it without an id', () => {
    assert.deepEqual(problems([{ user_id: 'ab', device_id: 'cd', event_type: 'x' }]), {
      invalidFields: {},
      missingFields: {},
      invalidIdLengths: { user_id: [0], device_id: [0] },
    });
    // the other id is itself invalid: both problems are reported
    assert.deepEqual(problems([{ user_id: 'ab', device_id: 'null', event_type: 'x' }]), {
      invalidFields: { device_id: [0] },
      missingFields: {},
      invalidIdLengths: { user_id: [0] },
    });
    // another problem on the event: the short id is simply removed, not reported
    assert.deepEqual(problems([{ user_id: 'ab', device_id: 'device-xyz-1' }]), {
      invalidFields: {},
      missingFields: { event_type: [0] },
      invalidIdLengths: {},
    });
  });

  it('accepts whitespace-only event_type and ids as sent: Amplitude forbids only empty ones', () => {
    const [event] = accepted([{ user_id: '      ', device_id: '   \t ', event_type: '   ' }]);
    assert.equal(event?.eventType, '   ', 'not trimmed');
    assert.equal(event?.userId, '      ');
    assert.equal(event?.deviceId, '   \t ');
    // length counts the spaces: three spaces are a too-short id like any 3-character id
    assert.deepEqual(problems([{ user_id: '   ', event_type: 'x' }]).invalidIdLengths, { user_id: [0] });
  });

  it('refuses the reserved invalid ids, whatever their case', () => {
    for (const id of ['anonymous', 'NULL', 'None', 'n/a', 'undefined', 'unknown', '00000000-0000-0000-0000-000000000000', 'lmy47d', '""', '{}', 'nil']) {
      assert.deepEqual(problems([{ user_id: id, event_type: 'x' }], 1).invalidFields, { user_id: [0] }, id);
    }
    assert.deepEqual(problems([{ device_id: '0', event_type: 'x' }, { device_id: '-1', event_type: 'x' }], 1).invalidFields, {
      device_id: [0, 1],
    });
  });

  it('refuses ids that are not strings', () => {
    assert.deepEqual(problems([{ user_id: 12345, event_type: 'x' }]).invalidFields, { user_id: [0] });
  });

  it('takes time only as integer milliseconds between 1990 and one year ahead', () => {
    const bad = [
      '2026-01-01T00:00:00Z',
      1767225600000.5,
      MIN_EVENT_TIME_MS - 1,
      NOW + MAX_EVENT_TIME_AHEAD_MS + 1,
      1767225600, // seconds, i.e. 1970
      -1,
      true,
      { t: 1 },
    ];
    const result = problems(bad.map((time) => ({ user_id: 'user-1', event_type: 'x', time })));
    assert.deepEqual(result.invalidFields, { time: [0, 1, 2, 3, 4, 5, 6, 7] });
    assert.equal(accepted([{ user_id: 'user-1', event_type: 'x', time: MIN_EVENT_TIME_MS }])[0]?.time, MIN_EVENT_TIME_MS);
    assert.equal(accepted([{ user_id: 'user-1', event_type: 'x', time: NOW + MAX_EVENT_TIME_AHEAD_MS }]).length, 1);
    assert.equal(accepted([{ user_id: 'user-1', event_type: 'x', time: null }])[0]?.time, NOW);
  });

  it('refuses events that are not objects', () => {
    assert.deepEqual(problems([null, 'x', [1], { user_id: 'user-1', event_type: 'ok' }, 7]).invalidFields, { event: [0, 1, 2, 4] });
  });

  it('checks the types of documented fields and lets unknown fields through', () => {
    const result = problems([
      { user_id: 'user-1', event_type: 'x', event_properties: [] },
      { user_id: 'user-1', event_type: 'x', session_id: '12' },
      { user_id: 'user-1', event_type: 'x', price: 'free' },
      { user_id: 'user-1', event_type: 'x', platform: 3 },
      { user_id: 'user-1', event_type: 'x', user_properties: { $set: 'pro' } },
      { user_id: 'user-1', event_type: 'x', insert_id: 5 },
    ]);
    assert.deepEqual(result.invalidFields, {
      event_properties: [0],
      session_id: [1],
      price: [2],
      platform: [3],
      user_properties: [4],
      insert_id: [5],
    });
    const [event] = accepted([{ user_id: 'user-1', event_type: 'x', my_field: { a: 1 }, session_id: -1, platform: null }]);
    assert.deepEqual(event?.payload.my_field, { a: 1 });
  });

  it('refuses properties nested deeper than 40 levels of objects and arrays, and accepts 40', () => {
    /** `levels` nested containers: the properties object itself is level 1. */
    const chain = (levels: number) => {
      let value: unknown = { leaf: 'x' };
      for (let i = 2; i < levels; i++) value = i % 2 === 0 ? { next: value } : [value];
      return { top: value } as Record<string, unknown>;
    };
    accepted([{ user_id: 'user-1', event_type: 'x', event_properties: chain(40) }]);
    assert.deepEqual(problems([{ user_id: 'user-1', event_type: 'x', event_properties: { wrap: chain(40) } }]).invalidFields, {
      event_properties: [0],
    });
    accepted([{ user_id: 'user-1', event_type: 'x', user_properties: { $set: chain(39) } }]);
    assert.deepEqual(problems([{ user_id: 'user-1', event_type: 'x', user_properties: { $set: chain(40) } }]).invalidFields, {
      user_properties: [0],
    });
  });

  it('cuts strings over 1024 characters in ids, fields and user properties, without splitting a surrogate pair', () => {
    const long = 'a'.repeat(2000);
    const emoji = `${'b'.repeat(1023)}😀tail`;
    const [event] = accepted([
      {
        user_id: `u${long}`,
        event_type: long,
        platform: long,
        insert_id: long,
        user_properties: { $set: { s: long, list: [long], nested: { e: emoji } } },
        groups: { org: long },
      },
    ]);
    assert.equal(event?.userId?.length, 1024);
    assert.equal(event?.eventType.length, 1024);
    assert.equal(event?.insertId?.length, 1024);
    assert.equal((event?.payload.platform as string).length, 1024);
    assert.equal(((event?.payload.groups as { org: string }).org).length, 1024);
    const props = (event?.userProperties as { $set: { s: string; list: string[]; nested: { e: string } } }).$set;
    assert.equal(props.s.length, 1024);
    assert.equal(props.list[0]?.length, 1024);
    assert.equal(props.nested.e, 'b'.repeat(1023), 'the emoji would be split, so it is dropped whole');
  });

  it('cuts event property strings only beyond 100,000 characters (Customer.io takes up to 100 KB of event data)', () => {
    const [event] = accepted([
      { user_id: 'user-1', event_type: 'x', event_properties: { blob: 'x'.repeat(40_000), huge: 'y'.repeat(100_001), list: ['z'.repeat(2000)] } },
    ]);
    const props = event?.payload.event_properties as { blob: string; huge: string; list: string[] };
    assert.equal(props.blob.length, 40_000);
    assert.equal(props.huge.length, 100_000);
    assert.equal(props.list[0]?.length, 2000);
  });

  it('keeps __proto__ keys as data', () => {
    const raw = JSON.parse('[{"user_id":"user-1","event_type":"x","event_properties":{"__proto__":{"admin":true},"constructor":{"a":"' + 'z'.repeat(100_100) + '"}}}]');
    const [event] = accepted(raw);
    const props = event?.payload.event_properties as Record<string, unknown>;
    assert.deepEqual(Object.keys(props), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(props), Object.prototype);
    assert.equal((props['constructor'] as unknown as { a: string }).a.length, 100_000);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  it('gives every problem of every event, so SDKs can drop exactly the bad ones', () => {
    const result = problems([
      { user_id: 'user-1', event_type: 'ok' },
      { user_id: 'ab', event_type: 'x' },
      { user_id: 'user-1', event_type: 'x', time: 'yesterday', device_id: 'null' },
    ]);
    assert.deepEqual(result, {
      invalidFields: { device_id: [2], time: [2] },
      missingFields: {},
      invalidIdLengths: { user_id: [1] },
    });
  });

  it('reads identifications as $identify user updates without event_type or time', () => {
    const result = check([{ user_id: 'user-1', user_properties: { plan: 'pro' }, time: 'ignored' }], 5, 'identify');
    assert.equal(result.ok, true);
    const [event] = (result as Extract<EventValidationResult, { ok: true }>).events;
    assert.equal(event?.eventType, '$identify');
    assert.equal(event?.time, NOW);
    assert.deepEqual(event?.userProperties, { plan: 'pro' });
  });

  it('reads $skip_user_properties_sync', () => {
    const [event] = accepted([{ user_id: 'user-1', event_type: 'x', $skip_user_properties_sync: true }]);
    assert.equal(event?.skipUserPropertiesSync, true);
  });
});
