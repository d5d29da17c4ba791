import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectEventRow, type FilterableEvent } from './event-filter.js';
import type { EventRow, WhereClause } from './sync-schema.js';

function event(fields: Partial<FilterableEvent> = {}): FilterableEvent {
  return {
    eventType: 'Order Completed',
    fields: { user_id: 'user-10001', device_id: 'dev-1', platform: 'iOS', country: 'Germany', app_version: '2.3.1' },
    eventProperties: { total: 120, currency: 'EUR', 'utm.source': 'mail' },
    userProperties: { plan: 'pro', tags: ['beta'] },
    ...fields,
  };
}

function row(eventType: string, ...where: WhereClause[]): EventRow {
  return { event_type: eventType, where };
}

const bigOrder: WhereClause = { scope: 'event', property: 'total', op: 'greater', values: [100] };
const onIos: WhereClause = { scope: 'field', property: 'platform', op: 'is', values: ['iOS'] };
const proUser: WhereClause = { scope: 'user', property: 'plan', op: 'is', values: ['pro'] };
const hasUserId: WhereClause = { scope: 'field', property: 'user_id', op: 'is not', values: ['(none)'] };

describe('selectEventRow', () => {
  it('selects every event with a "*" row and no clauses', () => {
    assert.equal(selectEventRow([row('*')], event()), 0);
    assert.equal(selectEventRow([row('*')], event({ eventType: '[Amplitude] Start Session' })), 0);
  });

  it('matches event types exactly, case-sensitively', () => {
    assert.equal(selectEventRow([row('Order Completed')], event()), 0);
    assert.equal(selectEventRow([row('order completed')], event()), undefined);
    assert.equal(selectEventRow([row('Order')], event()), undefined);
  });

  it('gives the index of the first matching row: rows are OR-ed', () => {
    const rows = [row('Signup'), row('Order Completed', { ...bigOrder, values: [500] }), row('*', onIos), row('Order Completed')];
    assert.equal(selectEventRow(rows, event()), 2);
    assert.equal(selectEventRow(rows, event({ fields: { platform: 'Android' } })), 3);
    assert.equal(selectEventRow(rows.slice(0, 2), event()), undefined);
  });

  it('needs every clause of a row to hold: clauses are AND-ed', () => {
    assert.equal(selectEventRow([row('*', bigOrder, onIos, proUser)], event()), 0);
    assert.equal(selectEventRow([row('*', bigOrder, onIos, proUser)], event({ userProperties: { plan: 'free' } })), undefined);
    assert.equal(selectEventRow([row('*', bigOrder, onIos)], event({ eventProperties: { total: 99 } })), undefined);
  });

  it('reads each scope from its own place, never another', () => {
    const plan = (scope: WhereClause['scope']): EventRow => row('*', { scope, property: 'plan', op: 'is', values: ['pro'] });
    const mixed = event({ eventProperties: { plan: 'free' }, userProperties: { plan: 'pro' }, fields: { plan: 'team' } });
    assert.equal(selectEventRow([plan('user')], mixed), 0);
    assert.equal(selectEventRow([plan('event')], mixed), undefined);
    assert.equal(selectEventRow([plan('field')], mixed), undefined);
  });

  it('reads a dotted name as one flat key', () => {
    const utm: WhereClause = { scope: 'event', property: 'utm.source', op: 'is', values: ['mail'] };
    assert.equal(selectEventRow([row('*', utm)], event()), 0);
    assert.equal(selectEventRow([row('*', utm)], event({ eventProperties: { utm: { source: 'mail' } } })), undefined);
  });

  it('sends only events with a user id under the recommended "User ID is not (none)" filter', () => {
    assert.equal(selectEventRow([row('*', hasUserId)], event()), 0);
    assert.equal(selectEventRow([row('*', hasUserId)], event({ fields: { user_id: null, device_id: 'dev-1' } })), undefined);
  });

  it('never reads inherited keys as properties', () => {
    const inherited: WhereClause = { scope: 'event', property: 'constructor', op: 'is not', values: ['(none)'] };
    assert.equal(selectEventRow([row('*', inherited)], event({ eventProperties: {} })), undefined);
  });

  it('never selects $identify or $groupidentify, even with "*"', () => {
    assert.equal(selectEventRow([row('*')], event({ eventType: '$identify' })), undefined);
    assert.equal(selectEventRow([row('*')], event({ eventType: '$groupidentify' })), undefined);
  });

  it('selects nothing with no rows', () => {
    assert.equal(selectEventRow([], event()), undefined);
  });
});
