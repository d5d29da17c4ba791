import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, isValid } from 'ulid';
import { eventUlid } from './event-ulid.js';

const event = { projectId: 1, deviceId: 'device-0001', insertId: 'evt-0001', time: 1767225600123 };

describe('eventUlid', () => {
  it('is a valid ULID whose time part is the event time in milliseconds', () => {
    const id = eventUlid(event);
    assert.equal(id.length, 26);
    assert.ok(isValid(id));
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(decodeTime(id), 1767225600123);
  });

  it('is the same every time the same event is mapped', () => {
    assert.equal(eventUlid(event), eventUlid({ ...event }));
  });

  it('differs when the project, device or insert_id differ', () => {
    const ids = new Set([
      eventUlid(event),
      eventUlid({ ...event, projectId: 2 }),
      eventUlid({ ...event, deviceId: 'device-0002' }),
      eventUlid({ ...event, deviceId: null }),
      eventUlid({ ...event, insertId: 'evt-0002' }),
    ]);
    assert.equal(ids.size, 5);
  });

  it('keeps a null device apart from a device named "null"', () => {
    assert.notEqual(eventUlid({ ...event, deviceId: null }), eventUlid({ ...event, deviceId: 'null' }));
  });

  it('never contains the insert_id', () => {
    const id = eventUlid({ ...event, insertId: 'ABCDEFGH' });
    assert.ok(!id.includes('ABCDEFGH'));
  });

  it('clamps times outside the ULID range', () => {
    assert.equal(decodeTime(eventUlid({ ...event, time: -5 })), 0);
  });
});
