import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlannableEvent, PlanState, SyncRecord } from '../store/delivery-types.js';
import { planStateKey } from '../store/state-keys.js';
import { validateSyncInput } from '../sync/sync-validation.js';
import { deliveryPlanner } from './delivery-planner.js';

const NOW = Date.UTC(2026, 11, 3);

function sync(id: number, projectId: number, settings: Record<string, unknown> = {}): SyncRecord {
  const config = validateSyncInput(
    { name: `s${id}`, project_id: projectId, customerio: { site_id: 's', api_key: 'k', region: 'us' }, ...settings },
    'create',
  );
  return { id, projectId, enabled: true, config: config as unknown as SyncRecord['config'], pause: null, createdAt: 0, updatedAt: 0, revision: 1 };
}

let seq = 0;
function event(fields: Partial<PlannableEvent>): PlannableEvent {
  seq++;
  return {
    seq,
    projectId: 1,
    receivedAt: NOW,
    requestId: 'r',
    source: 'httpapi',
    insertId: `i${seq}`,
    insertIdGenerated: false,
    eventType: 'E',
    time: NOW - 1000,
    userId: null,
    deviceId: null,
    personKey: 'user:u1',
    payload: { event_type: fields.eventType ?? 'E' },
    userProperties: {},
    changes: null,
    firstSeen: false,
    ...fields,
  };
}

/** An $identify of `userId` setting `properties` (their first values), without device unless given. */
function identifyEvent(userId: string, properties: Record<string, unknown>, fields: Partial<PlannableEvent> = {}): PlannableEvent {
  const changes = Object.fromEntries(Object.entries(properties).map(([name, to]) => [name, { to }]));
  return event({ userId, personKey: `user:${userId}`, eventType: '$identify', payload: { event_type: '$identify' }, userProperties: properties as PlannableEvent['userProperties'], changes, ...fields });
}

const emptyState = (): PlanState => ({ persons: new Map(), devices: new Map(), linkedDevices: new Map() });

describe('deliveryPlanner', () => {
  it('plans for every enabled sync of the event\'s project only', () => {
    const syncs = [sync(1, 1), sync(2, 1, { send_events: { enabled: false } }), sync(3, 2)];
    const events = [event({ userId: 'u1', personKey: 'user:u1' })];
    const writes = deliveryPlanner.plan(events, syncs, emptyState(), NOW);
    assert.deepEqual(writes.deliveries.map((d) => [d.syncId, d.action, d.status]), [[1, 'event', 'pending']]);
    assert.equal(writes.deliveries[0]?.eventSeq, events[0]?.seq);
    assert.equal(writes.deliveries[0]?.createdAt, NOW, 'deliveries date from the event\'s ingest time');
    assert.deepEqual(deliveryPlanner.stateKeys(events, syncs).persons, [
      { syncId: 1, personKey: 'user:u1' },
      { syncId: 2, personKey: 'user:u1' },
    ]);
  });

  it('keeps person state across the events of a batch: a person is identified once', () => {
    const syncs = [sync(1, 1)];
    const events = [
      event({ userId: 'u1', userProperties: { plan: 'pro' }, changes: { plan: { to: 'pro' } }, firstSeen: true }),
      event({ userId: 'u1', userProperties: { plan: 'pro' } }),
    ];
    const state = emptyState();
    const writes = deliveryPlanner.plan(events, syncs, state, NOW);
    assert.deepEqual(writes.deliveries.map((d) => d.action), ['identify', 'event', 'event']);
    assert.deepEqual(writes.persons, [{ syncId: 1, personKey: 'user:u1', state: { identified: true } }]);
    assert.deepEqual(state.persons.get(planStateKey(1, 'user:u1')), { identified: true });
  });

  it('moves a device\'s deliveries planned earlier in the batch to the user when its activity merges', () => {
    const syncs = [sync(1, 1, { send_events: { anonymous: true } })];
    const events = [
      event({ deviceId: 'd1', personKey: 'device:d1', eventType: 'Browse', payload: { event_type: 'Browse' } }),
      identifyEvent('u1', { plan: 'pro' }, { deviceId: 'd1', firstSeen: true }),
    ];
    const writes = deliveryPlanner.plan(events, syncs, emptyState(), NOW);
    assert.deepEqual(writes.deliveries.map((d) => [d.action, d.person]), [
      ['event', 'user:u1'],
      ['identify', 'user:u1'],
    ]);
    assert.deepEqual(writes.rekeys, [{ syncId: 1, from: 'device:d1', to: 'user:u1' }]);
    assert.deepEqual(writes.devices, [{ syncId: 1, deviceId: 'd1', state: 'merged' }]);
    const identify = JSON.parse(writes.deliveries[1]?.itemJson ?? '{}');
    assert.equal(identify.attributes.anonymous_id, 'd1');
  });

  it('merges the pending devices linked to a user when an identify without device_id gives the user an identifier, after their anonymous events', () => {
    const syncs = [sync(1, 1, { identifier: { from: 'user_property', name: 'email' }, send_events: { anonymous: true }, send_users: { properties: ['email'] } })];
    const pageView = (fields: Partial<PlannableEvent>) => event({ eventType: 'Page Viewed', payload: { event_type: 'Page Viewed' }, ...fields });
    const events = [
      pageView({ deviceId: 'dev-anon-B', personKey: 'device:dev-anon-B' }),
      pageView({ deviceId: 'dev-anon-B', userId: 'userB-001', personKey: 'user:userB-001' }),
      identifyEvent('userB-001', { email: 'userb@ex.test' }),
      pageView({ userId: 'userB-001', personKey: 'user:userB-001', userProperties: { email: 'userb@ex.test' } }),
    ];
    const state = emptyState();
    // dev-anon-C: linked to the user and pending since an earlier commit (as the store loads it)
    state.devices.set(planStateKey(1, 'dev-anon-C'), 'pending');
    state.linkedDevices.set(planStateKey(1, 'user:userB-001'), new Set(['dev-anon-C']));
    assert.deepEqual(deliveryPlanner.stateKeys(events, syncs).users, [
      { syncId: 1, projectId: 1, userId: 'userB-001' },
      { syncId: 1, projectId: 1, userId: 'userB-001' },
      { syncId: 1, projectId: 1, userId: 'userB-001' },
    ]);
    const writes = deliveryPlanner.plan(events, syncs, state, NOW);
    assert.deepEqual(
      writes.deliveries.map((d) => [d.action, d.person, JSON.parse(d.itemJson ?? '{}').identifiers, JSON.parse(d.itemJson ?? '{}').attributes?.anonymous_id]),
      [
        ['event', 'user:userB-001', { anonymous_id: 'dev-anon-B' }, undefined],
        ['event', 'user:userB-001', { anonymous_id: 'dev-anon-B' }, undefined],
        ['identify', 'user:userB-001', { email: 'userb@ex.test' }, 'dev-anon-C'],
        ['identify', 'user:userB-001', { email: 'userb@ex.test' }, 'dev-anon-B'],
        ['event', 'user:userB-001', { email: 'userb@ex.test' }, undefined],
      ],
    );
    assert.deepEqual(writes.rekeys, [
      { syncId: 1, from: 'device:dev-anon-C', to: 'user:userB-001' },
      { syncId: 1, from: 'device:dev-anon-B', to: 'user:userB-001' },
    ]);
    assert.deepEqual(writes.devices, [
      { syncId: 1, deviceId: 'dev-anon-B', state: 'merged' },
      { syncId: 1, deviceId: 'dev-anon-C', state: 'merged' },
    ]);
    // a later identify of the same user merges nothing again
    const again = deliveryPlanner.plan([events[2] as PlannableEvent], syncs, state, NOW);
    assert.deepEqual(again.rekeys, []);
    assert.ok(again.deliveries.every((d) => !(d.itemJson ?? '').includes('anonymous_id')), 'no merge is sent twice');
  });

  it('writes discards with their reason and items too large to send as dead, never as pending', () => {
    const syncs = [sync(1, 1)];
    const events = [
      event({ deviceId: 'd9', personKey: 'device:d9' }),
      event({ userId: 'u1', payload: { event_type: 'Huge', event_properties: { blob: 'x'.repeat(40_000) } }, eventType: 'Huge' }),
    ];
    const writes = deliveryPlanner.plan(events, syncs, emptyState(), NOW);
    assert.deepEqual(writes.deliveries.map((d) => [d.status, d.itemJson === null]), [
      ['discarded', true],
      ['dead', true],
    ]);
    assert.equal(writes.deliveries[0]?.reason, 'no identifier');
    assert.match(writes.deliveries[1]?.reason ?? '', /32 KB/);
  });
});
