import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, fakeClock, US, useSimulator } from './simulator-client.js';

const clock = fakeClock();
const NOW_S = Math.floor(clock.now() / 1000);
const ULID_A = '01KDX4T5G0AAAAAAAAAAAAAAAA';

describe('simulator v1 identify', () => {
  const sim = useSimulator({ now: clock.now });

  const identify = (identifier: string, body: unknown) => call(sim().url, 'PUT', `/api/v1/customers/${encodeURIComponent(identifier)}`, body);

  it('reports every violation in the observed pretty-printed format', async () => {
    const attributes: Record<string, unknown> = { id: 5, ['n'.repeat(151)]: 1, bio: 'x'.repeat(1001) };
    for (let i = 0; i < 300; i++) attributes[`a${i}`] = i;
    const reply = await identify('u1', attributes);
    assert.equal(reply.status, 400);
    assert.equal(
      reply.text,
      `${JSON.stringify(
        {
          meta: {
            errors: [
              'id attribute must be a string value',
              'cannot identify more than 300 attributes in one request',
              'attribute name cannot be longer than 150 bytes',
              "value for attribute 'bio' cannot be longer than 1000 bytes",
            ],
          },
        },
        null,
        2,
      )}\n`,
    );
    assert.deepEqual(sim().people(), []);
  });

  it('holds identifiers, names and values to their byte limits, counting UTF-8', async () => {
    assert.deepEqual((await identify('u1', { id: '' })).json, { meta: { errors: ['id attribute cannot be an empty string'] } });
    assert.equal((await identify('x'.repeat(150), {})).status, 200);
    assert.deepEqual((await identify('x'.repeat(151), {})).json, { meta: { errors: ['identifier cannot be longer than 150 bytes'] } });
    assert.equal((await identify('u1', { bio: 'é'.repeat(500) })).status, 200);
    assert.equal((await identify('u1', { bio: 'é'.repeat(501) })).status, 400);
    assert.equal((await identify('u1', { nested: { list: 'x'.repeat(990) } })).status, 400, 'objects count as their JSON');
    const exactly300 = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, i]));
    assert.equal((await identify('u2', exactly300)).status, 200);
  });

  it('creates, then merges attributes into, the person; "" and null remove', async () => {
    await identify('u1', { plan: 'pro', seats: 3, nested: { a: [1, { b: 2 }] } });
    await identify('u1', { seats: 4, plan: '', nested: null, fresh: true });
    const person = sim().person({ id: 'u1' });
    assert.deepEqual(person?.attributes, { created_at: NOW_S, seats: 4, fresh: true });
    assert.match(person?.cio_id ?? '', /^[0-9a-f]{8}$/);
    assert.equal(sim().people().length, 1);
  });

  it('defaults created_at to now only when the person is created', async () => {
    await identify('u1', {});
    clock.advance(60_000);
    await identify('u1', { plan: 'x' });
    assert.equal(sim().person({ id: 'u1' })?.attributes.created_at, NOW_S);
    await identify('u2', { created_at: 1700000000 });
    assert.equal(sim().person({ id: 'u2' })?.attributes.created_at, 1700000000);
    clock.set(Date.UTC(2026, 0, 1));
  });

  it('finds people by email case-insensitively and by cio_ prefix', async () => {
    await identify('Ann@Example.com', { plan: 'pro' });
    await identify('ann@example.COM', { seats: 2 });
    const ann = sim().person({ email: 'ANN@example.com' });
    assert.deepEqual([ann?.email, ann?.id, ann?.attributes.plan, ann?.attributes.seats], ['Ann@Example.com', null, 'pro', 2]);
    await identify(`cio_${ann?.cio_id}`, { id: 'ann-1' });
    assert.equal(sim().person({ id: 'ann-1' })?.cio_id, ann?.cio_id);
    assert.equal(sim().people().length, 1);
  });

  it('gives the path identifier to the person a body identifier names', async () => {
    await identify('a@b.co', { plan: 'pro' });
    await identify('new-id', { email: 'A@B.co' });
    assert.equal(sim().people().length, 1);
    assert.equal(sim().person({ id: 'new-id' })?.email, 'a@b.co');
  });

  it('logs a conflict, and still answers 200, when path and body name different people', async () => {
    await identify('u1', {});
    await identify('u2', { email: 'x@y.co' });
    assert.equal((await identify('u1', { email: 'x@y.co', plan: 'pro' })).status, 200);
    assert.equal(sim().person({ id: 'u1' })?.email, null);
    assert.equal(sim().person({ id: 'u1' })?.attributes.plan, 'pro');
    assert.ok(sim().activity().some((entry) => entry.kind === 'attribute_update_failure'));
  });

  it('drops calls for an unknown cio_id and _update misses with 200', async () => {
    assert.equal((await identify('cio_ffffffff', { a: 1 })).status, 200);
    assert.equal((await identify('ghost', { _update: true, a: 1 })).status, 200);
    assert.deepEqual(sim().people(), []);
    assert.deepEqual(sim().activity().map((entry) => entry.kind), ['unknown_cio_id', 'failed_attribute_change']);
  });

  it('ignores an update older than the last applied one, still answering 200', async () => {
    await identify('u1', { plan: 'team', _timestamp: 1767225700 });
    assert.equal((await identify('u1', { plan: 'free', _timestamp: 1767225600 })).status, 200);
    await identify('u1', { seats: 9, _timestamp: 1767225700 });
    const person = sim().person({ id: 'u1' });
    assert.deepEqual([person?.attributes.plan, person?.attributes.seats, person?.attributes._timestamp], ['team', 9, undefined]);
    assert.ok(sim().activity().some((entry) => entry.kind === 'stale_update_ignored'));
  });

  it('reads unsubscribed by Customer.io\'s truthiness rule and merges subscription topics', async () => {
    for (const [value, expected] of [[true, true], ['TRUE', true], [1, true], ['1', true], ['yes', false], [false, false]] as const) {
      await identify('u1', { unsubscribed: value });
      assert.equal(sim().person({ id: 'u1' })?.attributes.unsubscribed, expected, String(value));
    }
    await identify('u1', { cio_subscription_preferences: { topics: { topic_1: true, topic_2: false } } });
    await identify('u1', { 'cio_subscription_preferences.topics.topic_2': true });
    assert.deepEqual(sim().person({ id: 'u1' })?.attributes.cio_subscription_preferences, { topics: { topic_1: true, topic_2: true } });
  });
});

describe('simulator v1 events', () => {
  const sim = useSimulator({ now: clock.now });

  const track = (id: string, body: unknown) => call(sim().url, 'POST', `/api/v1/customers/${encodeURIComponent(id)}/events`, body);

  it('validates name, data and id with Customer.io\'s messages', async () => {
    const expectations: Array<[unknown, string]> = [
      [{}, 'event name must not be blank'],
      [{ name: '   ' }, 'event name must not be blank'],
      [{ name: 'x'.repeat(101) }, 'event name cannot be longer than 100 bytes'],
      [{ name: 'ok', data: '' }, 'event data must be a hash'],
      [{ name: 'ok', data: { blob: 'x'.repeat(100_000) } }, 'event data cannot be longer than 100000 bytes'],
      [{ name: 'ok', id: 'not-a-ulid' }, 'event id must be a valid ULID'],
    ];
    for (const [body, message] of expectations) {
      const reply = await track('u1', body);
      assert.equal(reply.status, 400, message);
      assert.deepEqual(reply.json, { meta: { errors: [message] } });
    }
    assert.equal((await track('u1', { name: `  ${'é'.repeat(50)}  ` })).status, 200, 'trimmed name of exactly 100 bytes');
    assert.equal(sim().person({ id: 'u1' })?.events[0]?.name, 'é'.repeat(50));
  });

  it('creates a bare person for an unknown id and stores the event', async () => {
    await track('u1', { name: 'Signup', data: { plan: 'pro' }, timestamp: NOW_S - 10 });
    const person = sim().person({ id: 'u1' });
    assert.equal(person?.events.length, 1);
    assert.deepEqual([person?.events[0]?.name, person?.events[0]?.data, person?.events[0]?.timestamp], ['Signup', { plan: 'pro' }, NOW_S - 10]);
  });

  it('stores an event with a seen ULID only once, and answers 200 both times', async () => {
    assert.equal((await track('u1', { name: 'Signup', id: ULID_A })).status, 200);
    assert.equal((await track('u1', { name: 'Signup', id: ULID_A })).status, 200);
    assert.equal(sim().person({ id: 'u1' })?.events.length, 1);
    assert.ok(sim().activity().some((entry) => entry.kind === 'duplicate_event_ignored'));
  });

  it('replaces a missing or non-integer timestamp with the receive time and flags campaign eligibility', async () => {
    await track('u1', { name: 'a', timestamp: '2026-01-01' });
    await track('u1', { name: 'b', timestamp: NOW_S - 73 * 3600 });
    await track('u1', { name: 'c', timestamp: clock.now() });
    const events = sim().person({ id: 'u1' })?.events ?? [];
    assert.deepEqual(
      events.map((e) => [e.name, e.timestamp === NOW_S, e.can_trigger, e.suspected_milliseconds]),
      [
        ['a', true, true, false],
        ['b', false, false, false],
        ['c', false, true, true],
      ],
    );
  });

  it('keeps anonymous events apart until an identify carries their anonymous_id, then attaches the last 30 days', async () => {
    await call(sim().url, 'POST', '/api/v1/events', { anonymous_id: 'dev-1', name: 'Old', timestamp: NOW_S - 31 * 86400 });
    await call(sim().url, 'POST', '/api/v1/events', { anonymous_id: 'dev-1', name: 'Pricing Viewed', timestamp: NOW_S - 60 });
    assert.deepEqual(Object.keys(sim().anonymousEvents()), ['dev-1']);
    await call(sim().url, 'PUT', '/api/v1/customers/user-1', { anonymous_id: 'dev-1', plan: 'pro' });
    const person = sim().person({ id: 'user-1' });
    assert.deepEqual(person?.events.map((e) => [e.name, e.anonymous_id]), [['Pricing Viewed', 'dev-1']]);
    assert.deepEqual(person?.anonymous_ids, ['dev-1']);
    assert.deepEqual(sim().anonymousEvents()['dev-1']?.map((e) => e.name), ['Old']);
    await call(sim().url, 'POST', '/api/v1/events', { anonymous_id: 'dev-1', name: 'After' });
    assert.equal(sim().person({ id: 'user-1' })?.events.length, 2, 'later events of a linked anonymous_id go to the person');
  });

  it('deletes a person and their events; deleting an unknown person is fine', async () => {
    await track('u1', { name: 'x' });
    assert.equal((await call(sim().url, 'DELETE', '/api/v1/customers/u1')).status, 200);
    assert.equal((await call(sim().url, 'DELETE', '/api/v1/customers/nobody')).status, 200);
    assert.deepEqual(sim().people(US.siteId), []);
  });
});
