import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectEventAttributes, selectProperties } from './property-selection.js';

const source = { plan: 'pro', 'utm.source': 'mail', utm: { source: 'ads' }, empty: null };

describe('selectProperties', () => {
  it('"*" selects every property, [] none', () => {
    assert.deepEqual(selectProperties('*', source), source);
    assert.deepEqual(selectProperties([], source), {});
  });

  it('a list selects exact top-level keys, a dotted name as one flat key, skipping names the source lacks', () => {
    assert.deepEqual(selectProperties(['utm.source', 'missing', 'Plan'], source), { 'utm.source': 'mail' });
    assert.deepEqual(selectProperties(['empty'], source), { empty: null }, 'a null value is still a property');
  });

  it('never selects inherited keys and keeps __proto__ as data', () => {
    const withProto = JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as Record<string, unknown>;
    const selected = selectProperties(['__proto__', 'constructor', 'toString'], withProto);
    assert.deepEqual(Object.keys(selected), ['__proto__']);
    assert.deepEqual(Object.getPrototypeOf(selected), Object.prototype);
  });
});

describe('selectEventAttributes', () => {
  const eventProperties = { plan: 'from-event', total: 42 };
  const userProperties = { plan: 'pro', email: 'a@example.com' };

  it('sends the selected event and user properties, the event property winning on a clash', () => {
    assert.deepEqual(selectEventAttributes({ event: '*', user: '*' }, eventProperties, userProperties), {
      plan: 'from-event',
      email: 'a@example.com',
      total: 42,
    });
    assert.deepEqual(selectEventAttributes({ event: ['total'], user: ['plan'] }, eventProperties, userProperties), { plan: 'pro', total: 42 });
  });

  it('sends no user properties by default (event "*", user [])', () => {
    assert.deepEqual(selectEventAttributes({ event: '*', user: [] }, eventProperties, userProperties), eventProperties);
    assert.deepEqual(selectEventAttributes({ event: [], user: [] }, eventProperties, userProperties), {});
  });
});
