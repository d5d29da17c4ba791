import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestEvent, IngestState, IngestUnit } from '../store/types.js';
import { ingestProcessor } from './ingest-processor.js';
import { dedupeKey, deviceKey, profileKey } from '../store/state-keys.js';

const T0 = Date.UTC(2026, 0, 1);
let counter = 0;

function ev(fields: Partial<IngestEvent>): IngestEvent {
  counter++;
  return {
    payload: {},
    eventType: 'E',
    userId: null,
    deviceId: null,
    time: T0,
    insertId: `gen-${counter}`,
    insertIdGenerated: true,
    userProperties: null,
    skipUserPropertiesSync: false,
    ...fields,
  };
}

function run(events: IngestEvent[][], state: Partial<IngestState> = {}) {
  const units: IngestUnit[] = events.map((list, i) => ({
    projectId: 1,
    source: 'httpapi',
    requestId: `r${i}`,
    receivedAt: T0 + i,
    events: list,
  }));
  return ingestProcessor.process(units, {
    seenInsertIds: state.seenInsertIds ?? new Set(),
    deviceLinks: state.deviceLinks ?? new Map(),
    profiles: state.profiles ?? new Map(),
  });
}

describe('ingestProcessor', () => {
  it('names the state a batch needs: client insert_ids, devices and persons', () => {
    const keys = ingestProcessor.stateKeys([
      {
        projectId: 7,
        source: 'batch',
        requestId: 'r',
        receivedAt: T0,
        events: [
          ev({ userId: 'u1', deviceId: 'd1', insertId: 'i1', insertIdGenerated: false }),
          ev({ deviceId: 'd2' }),
        ],
      },
    ]);
    assert.deepEqual(keys.insertIds, [{ projectId: 7, deviceId: 'd1', insertId: 'i1' }]);
    assert.deepEqual(keys.devices, [
      { projectId: 7, deviceId: 'd1' },
      { projectId: 7, deviceId: 'd2' },
    ]);
    assert.deepEqual(
      keys.persons.map((p) => p.personKey),
      ['device:d1', 'user:u1', 'device:d2'],
    );
  });

  it('drops duplicates already seen and repeated within the batch, but counts them as accepted', () => {
    const seen = new Set([dedupeKey(1, 'd1', 'old')]);
    const writes = run(
      [
        [
          ev({ deviceId: 'd1', insertId: 'old', insertIdGenerated: false }),
          ev({ deviceId: 'd1', insertId: 'new', insertIdGenerated: false }),
        ],
        [ev({ deviceId: 'd1', insertId: 'new', insertIdGenerated: false })],
      ],
      { seenInsertIds: seen },
    );
    assert.deepEqual(writes.outcomes, [
      { accepted: 2, duplicates: 1 },
      { accepted: 1, duplicates: 1 },
    ]);
    assert.deepEqual(writes.events.map((e) => e.insertId), ['new']);
  });

  it('links a device to the first user it arrives with and merges its profile (user values win)', () => {
    const writes = run([
      [
        ev({ deviceId: 'd1', userProperties: { source: 'ad', plan: 'trial' } }),
        ev({ userId: 'u1', userProperties: { plan: 'pro' } }),
        ev({ userId: 'u1', deviceId: 'd1', eventType: 'Login' }),
        ev({ deviceId: 'd1', eventType: 'After' }),
      ],
    ]);
    const [anon, user, login, after] = writes.events;
    assert.equal(anon?.personKey, 'device:d1');
    assert.equal(user?.personKey, 'user:u1');
    assert.deepEqual(login?.userProperties, { source: 'ad', plan: 'pro' });
    assert.deepEqual(login?.changes, { source: { to: 'ad' } }, 'the merge shows as a change of the user');
    assert.equal(after?.personKey, 'user:u1');
    assert.equal(after?.userId, 'u1');
    assert.deepEqual(writes.deviceLinks, [{ projectId: 1, deviceId: 'd1', userId: 'u1', linkedAt: T0 }]);
    const profiles = Object.fromEntries(writes.profiles.map((p) => [p.personKey, p.properties]));
    assert.deepEqual(profiles['user:u1'], { source: 'ad', plan: 'pro' });
  });

  it('re-links a device that arrives with another user, without merging again', () => {
    const writes = run([[ev({ userId: 'u2', deviceId: 'd1' }), ev({ deviceId: 'd1', eventType: 'After' })]], {
      deviceLinks: new Map([[deviceKey(1, 'd1'), 'u1']]),
      profiles: new Map([[profileKey(1, 'device:d1'), { old: true }]]),
    });
    assert.deepEqual(writes.events[0]?.userProperties, {});
    assert.equal(writes.events[1]?.personKey, 'user:u2');
    assert.equal(writes.deviceLinks[0]?.userId, 'u2');
  });

  it('uses an existing link from the store for device-only events', () => {
    const writes = run([[ev({ deviceId: 'd1', userProperties: { $add: { n: 1 } } })]], {
      deviceLinks: new Map([[deviceKey(1, 'd1'), 'u1']]),
      profiles: new Map([[profileKey(1, 'user:u1'), { n: 41 }]]),
    });
    assert.equal(writes.events[0]?.personKey, 'user:u1');
    assert.deepEqual(writes.events[0]?.userProperties, { n: 42 });
    assert.deepEqual(writes.events[0]?.changes, { n: { from: 41, to: 42 } });
    assert.equal(writes.events[0]?.firstSeen, false);
  });

  it('records the profile before and after each event, in order', () => {
    const writes = run([
      [
        ev({ userId: 'u1', userProperties: { $set: { plan: 'free' } } }),
        ev({ userId: 'u1', userProperties: { $set: { plan: 'free' } } }),
        ev({ userId: 'u1', userProperties: { $unset: { plan: '-' } } }),
      ],
    ]);
    assert.deepEqual(
      writes.events.map((e) => [e.firstSeen, e.changes, e.userProperties]),
      [
        [true, { plan: { to: 'free' } }, { plan: 'free' }],
        [false, null, { plan: 'free' }],
        [false, { plan: { from: 'free' } }, {}],
      ],
    );
    assert.equal(writes.profiles.length, 1, 'one write per profile per batch, with the final state');
    assert.deepEqual(writes.profiles[0]?.properties, {});
  });

  it('leaves the profile alone for $groupidentify and $skip_user_properties_sync', () => {
    const writes = run([
      [
        ev({ userId: 'u1', userProperties: { a: 1 } }),
        ev({ userId: 'u1', eventType: '$groupidentify', userProperties: { a: 2 } }),
        ev({ userId: 'u1', skipUserPropertiesSync: true, userProperties: { own: true } }),
      ],
    ]);
    assert.deepEqual(writes.events[1]?.userProperties, { a: 1 });
    assert.deepEqual(writes.events[2]?.userProperties, { own: true }, 'the event carries only its own properties');
    assert.equal(writes.events[2]?.changes, null);
    assert.deepEqual(writes.profiles[0]?.properties, { a: 1 });
  });

  it('creates a profile row for a person seen for the first time, even without properties', () => {
    const writes = run([[ev({ userId: 'u9' })]]);
    assert.deepEqual(writes.profiles, [{ projectId: 1, personKey: 'user:u9', properties: {}, updatedAt: T0 }]);
    assert.equal(writes.events[0]?.firstSeen, true);
  });

  it("lists the catalog names of the stored events only, each once with the latest unit's receive time", () => {
    const writes = run(
      [
        [
          ev({ deviceId: 'd1', insertId: 'old', insertIdGenerated: false, eventType: 'Duplicate', payload: { event_properties: { dup: 1 } } }),
          ev({ userId: 'u1', eventType: 'Open', payload: { event_properties: { screen: 'home' } }, userProperties: { $set: { plan: 'pro' } } }),
        ],
        [ev({ userId: 'u1', eventType: 'Open', userProperties: { $unset: ['trial'] } })],
      ],
      { seenInsertIds: new Set([dedupeKey(1, 'd1', 'old')]) },
    );
    assert.deepEqual(writes.catalog, [
      { projectId: 1, kind: 'event_type', name: 'Open', seenAt: T0 + 1 },
      { projectId: 1, kind: 'event_property', name: 'screen', seenAt: T0 },
      { projectId: 1, kind: 'user_property', name: 'plan', seenAt: T0 },
      { projectId: 1, kind: 'user_property', name: 'trial', seenAt: T0 + 1 },
    ]);
  });
});
