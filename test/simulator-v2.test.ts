import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, eventOp, fakeClock, identifyOp, useSimulator } from './simulator-client.js';

const clock = fakeClock();
const ULID_A = '01KDX4T5G0AAAAAAAAAAAAAAAA';
const ULID_B = '01KDX4T5G0BBBBBBBBBBBBBBBB';

describe('simulator v2 batch', () => {
  const sim = useSimulator({ now: clock.now });

  const batch = (ops: unknown[]) => call(sim().url, 'POST', '/api/v2/batch', { batch: ops });

  it('applies every operation in order and answers 200 {}', async () => {
    const reply = await batch([
      identifyOp('u1', { plan: 'pro' }),
      eventOp('u1', 'Signup', { id: ULID_A, timestamp: 1767225600, attributes: { total: 1 } }),
      { type: 'person', action: 'page', identifiers: { email: 'a@b.co' }, name: '/pricing' },
      { type: 'person', action: 'screen', identifiers: { id: 'u1' }, name: 'Home' },
    ]);
    assert.deepEqual([reply.status, reply.text], [200, '{}\n']);
    const u1 = sim().person({ id: 'u1' });
    assert.equal(u1?.attributes.plan, 'pro');
    assert.deepEqual(u1?.events.map((e) => [e.type, e.name, e.event_id]), [
      ['event', 'Signup', ULID_A],
      ['screen', 'Home', null],
    ]);
    assert.deepEqual(u1?.events[0]?.data, { total: 1 });
    assert.equal(sim().person({ email: 'A@B.CO' })?.events[0]?.type, 'page');
  });

  it('answers 207 naming each bad operation by batch_index and applies the good ones', async () => {
    const reply = await batch([
      eventOp('u1', 'Good One'),
      eventOp('u2', 'x'.repeat(101)),
      identifyOp('u3', { bio: 'x'.repeat(1001) }),
      { type: 'person', action: 'event', identifiers: { id: 'u4', email: 'a@b.co' }, name: 'Two ids' },
      eventOp('u5', 'Good Two'),
    ]);
    assert.equal(reply.status, 207);
    assert.deepEqual(reply.json, {
      errors: [
        { batch_index: 1, reason: 'invalid', field: 'name', message: 'event name cannot be longer than 100 bytes' },
        { batch_index: 2, reason: 'invalid', field: 'attributes.bio', message: "value for attribute 'bio' cannot be longer than 1000 bytes" },
        { batch_index: 3, reason: 'invalid', field: 'identifiers', message: 'identifiers must hold exactly one of id, email, phone, cio_id' },
      ],
    });
    assert.deepEqual(sim().people().map((p) => p.id), ['u1', 'u5']);
    assert.deepEqual(sim().counters().workspaces['site-us'], { requests: 1, rate_limited: 0, operations_accepted: 2, operations_rejected: 3 });
  });

  it('checks each limit: identifiers, names, values, attribute count, event name and data', async () => {
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
    const reply = await batch([
      eventOp('x'.repeat(151), 'e'),
      identifyOp('u1', { ['n'.repeat(151)]: 1 }),
      identifyOp('u1', many),
      eventOp('u1', 'e', { attributes: { blob: 'x'.repeat(30_000) }, extra: 'x'.repeat(3_000) }),
      eventOp('u1', ''),
      eventOp('u1', 'e', { attributes: 'data' }),
      eventOp('u1', 'e', { id: 'nope' }),
      { type: 'person', action: 'identify', identifiers: { phone: '+15550001' } },
      { type: 'object', action: 'identify', identifiers: { object_type_id: '1', object_id: 'acme' } },
      { type: 'person', action: 'add_device', identifiers: { id: 'u1' }, device: { token: 't', platform: 'ios' } },
      { type: 'person', action: 'fly', identifiers: { id: 'u1' } },
      { action: 'event' },
      { type: 'person', identifiers: { id: 'u1' } },
      { type: 'person', action: 'event', name: 'no identifiers' },
      { type: 'person', action: 'identify', identifiers: { anonymous_id: 'd' } },
      identifyOp('u1', { id: 7 }),
    ]);
    assert.equal(reply.status, 207);
    const errors = (reply.json as { errors: Array<{ batch_index: number; reason: string; field: string; message: string }> }).errors;
    assert.deepEqual(
      errors.map((e) => [e.batch_index, e.reason, e.field]),
      [
        [0, 'invalid', 'identifiers.id'],
        [1, 'invalid', `attributes.${'n'.repeat(151)}`],
        [2, 'invalid', 'attributes'],
        [3, 'invalid', ''],
        [4, 'required', 'name'],
        [5, 'invalid', 'attributes'],
        [6, 'invalid', 'id'],
        [7, 'invalid', 'identifiers.phone'],
        [8, 'invalid', 'type'],
        [9, 'invalid', 'action'],
        [10, 'invalid', 'action'],
        [11, 'required', 'type'],
        [12, 'required', 'action'],
        [13, 'required', 'identifiers'],
        [14, 'invalid', 'identifiers.anonymous_id'],
        [15, 'invalid', 'attributes.id'],
      ],
    );
    assert.equal(errors[2]?.message, 'cannot identify more than 300 attributes in one request');
    assert.equal(errors[5]?.message, 'event data must be a hash');
    assert.deepEqual(sim().people(), []);
  });

  it('refuses a whole request over 500,000 bytes, or not shaped {batch: [...]}, with 400', async () => {
    const ops = Array.from({ length: 17 }, (_, i) => eventOp(`u${i}`, 'e', { attributes: { blob: 'x'.repeat(30_000) } }));
    const big = await batch(ops);
    assert.equal(big.status, 400);
    assert.match((big.json as { errors: Array<{ message: string }> }).errors[0]?.message ?? '', /request too large/);
    const shape = await call(sim().url, 'POST', '/api/v2/batch', { ops: [] });
    assert.deepEqual(shape.json, { errors: [{ reason: 'invalid', field: 'batch', message: 'body must be {"batch": [operations]}' }] });
    assert.deepEqual(sim().people(), []);
  });

  it('accepts an event id seen before without storing it again', async () => {
    await batch([eventOp('u1', 'Signup', { id: ULID_A }), eventOp('u1', 'Signup', { id: ULID_A }), eventOp('u1', 'Signup', { id: ULID_B })]);
    assert.equal((await batch([eventOp('u1', 'Signup', { id: ULID_A })])).status, 200);
    assert.deepEqual(sim().person({ id: 'u1' })?.events.map((e) => e.event_id), [ULID_A, ULID_B]);
  });

  it('accepts and ignores a person update older than the last applied one', async () => {
    await batch([identifyOp('u1', { plan: 'team' }, { timestamp: 1767225700 })]);
    assert.equal((await batch([identifyOp('u1', { plan: 'free', seats: 1 }, { timestamp: 1767225699 })])).status, 200);
    await batch([identifyOp('u1', { seats: 2 }, { timestamp: 1767225700 })]);
    await batch([identifyOp('u1', { seats: 3 })]);
    assert.deepEqual(sim().person({ id: 'u1' })?.attributes, { created_at: Math.floor(clock.now() / 1000), plan: 'team', seats: 3 });
  });

  it('stores events keyed by anonymous_id and merges them when an identify carries it', async () => {
    await batch([{ type: 'person', action: 'event', identifiers: { anonymous_id: 'dev-abc-123' }, name: 'Pricing Viewed', timestamp: 1767225600 }]);
    assert.deepEqual(sim().people(), []);
    assert.equal(sim().anonymousEvents()['dev-abc-123']?.length, 1);
    await batch([identifyOp('user-10001', { plan: 'pro', anonymous_id: 'dev-abc-123' })]);
    const person = sim().person({ id: 'user-10001' });
    assert.deepEqual(person?.events.map((e) => e.name), ['Pricing Viewed']);
    assert.deepEqual(person?.attributes, { created_at: Math.floor(clock.now() / 1000), plan: 'pro' });
    assert.deepEqual(sim().anonymousEvents(), {});
  });

  it('finds people by cio_id without a prefix and deletes them', async () => {
    await batch([identifyOp('u1', { plan: 'pro' })]);
    const cioId = sim().person({ id: 'u1' })?.cio_id ?? '';
    await batch([{ type: 'person', action: 'identify', identifiers: { cio_id: cioId }, attributes: { seats: 2 } }]);
    assert.equal(sim().person({ id: 'u1' })?.attributes.seats, 2);
    await batch([{ type: 'person', action: 'delete', identifiers: { cio_id: cioId } }]);
    assert.deepEqual(sim().people(), []);
  });
});

describe('simulator v2 entity', () => {
  const sim = useSimulator({ now: clock.now }, { resetEach: false });

  it('applies one operation, answers 400 with errors for a bad one, and refuses bodies over 32,000 bytes', async () => {
    assert.equal((await call(sim().url, 'POST', '/api/v2/entity', identifyOp('u1', { plan: 'pro' }))).status, 200);
    assert.equal(sim().person({ id: 'u1' })?.attributes.plan, 'pro');
    const bad = await call(sim().url, 'POST', '/api/v2/entity', eventOp('u1', ''));
    assert.deepEqual([bad.status, bad.json], [400, { errors: [{ reason: 'required', field: 'name', message: 'event name must not be blank' }] }]);
    const big = await call(sim().url, 'POST', '/api/v2/entity', eventOp('u1', 'e', { attributes: { blob: 'x'.repeat(32_000) } }));
    assert.equal(big.status, 400);
    assert.match((big.json as { errors: Array<{ message: string }> }).errors[0]?.message ?? '', /request too large/);
  });
});
