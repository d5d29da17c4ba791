import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDataset, type DatasetCall } from '../demo/dataset.js';

const NOW = Date.UTC(2026, 11, 3, 12);

describe('the demo dataset', () => {
  it('is the same for the same seed, and another seed gives another', () => {
    const options = { users: 300, seed: 42, now: NOW };
    assert.deepEqual(generateDataset(options), generateDataset(options));
    assert.notDeepEqual(generateDataset({ ...options, seed: 43 }).people, generateDataset(options).people);
  });

  it('has every kind of person, each with calls in time order in the two days before now', () => {
    const { people, expected } = generateDataset({ users: 500, seed: 1, now: NOW });
    assert.deepEqual(new Set(people.map((p) => p.persona)), new Set(['anonymous', 'browse_then_login', 'returning']));
    for (const person of people) {
      const times = person.calls.map((c) => c.fields.time);
      assert.deepEqual(times, [...times].sort((a, b) => a - b), person.deviceId);
      assert.ok(times.every((t) => t < NOW && t > NOW - 48 * 3_600_000), person.deviceId);
      assert.ok(person.calls.every((c) => c.fields.device_id === person.deviceId));
    }
    assert.equal(expected.calls, expected.tracks + expected.identifies);
    assert.equal(expected.knownUsers, people.filter((p) => p.userId !== null).length);
    assert.equal(expected.mergedDevices, people.filter((p) => p.persona === 'browse_then_login').length);
  });

  it('anonymous browsing comes before the login that links the device; anonymous visitors never log in', () => {
    const { people } = generateDataset({ users: 200, seed: 5, now: NOW });
    const firstIdentified = (calls: DatasetCall[]) => calls.findIndex((c) => c.fields.user_id !== undefined);
    for (const person of people) {
      const first = firstIdentified(person.calls);
      if (person.persona === 'anonymous') assert.equal(first, -1);
      if (person.persona === 'returning') assert.equal(first, 0);
      if (person.persona === 'browse_then_login') {
        assert.ok(first > 0, 'some browsing first');
        assert.equal(person.calls[first]?.kind, 'identify', 'the login is an identify with the user id and the device id');
        assert.ok(person.calls.slice(first).every((c) => c.fields.user_id === person.userId), 'everything after it carries the user id');
      }
    }
  });

  it('has identifies with $set, $setOnce, $add and $append, and purchases with revenue fields', () => {
    const { people } = generateDataset({ users: 200, seed: 9, now: NOW });
    const calls = people.flatMap((p) => p.calls);
    const ops = new Set(calls.flatMap((c) => (c.kind === 'identify' ? c.operations.map((o) => o.op) : [])));
    assert.deepEqual(ops, new Set(['set', 'setOnce', 'add', 'append']));
    const order = calls.find((c) => c.kind === 'track' && c.eventType === 'Order Completed');
    assert.ok(order !== undefined);
    assert.equal(order.fields.revenue, Math.round((order.fields.price ?? 0) * (order.fields.quantity ?? 0) * 100) / 100);
    assert.equal(order.fields.revenueType, 'purchase');
    assert.ok(new Set(calls.map((c) => (c.kind === 'track' ? c.eventType : '$identify'))).size >= 8);
  });
});
