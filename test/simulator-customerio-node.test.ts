import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CustomerIORequestError, RegionEU, TrackClient } from 'customerio-node';
import { EU, fakeClock, US, useSimulator } from './simulator-client.js';

/**
 * Fidelity: the official client, pointed at the simulator with its `url` option (which must contain
 * /api/v1), gets the replies it gets from Customer.io, and the data lands where expected.
 */
describe('customerio-node against the simulator', () => {
  const clock = fakeClock();
  const sim = useSimulator({ now: clock.now });
  let cio: TrackClient;
  before(() => {
    cio = new TrackClient(US.siteId, US.apiKey, { url: `${sim().url}/api/v1`, retry: { maxRetries: 0 } });
  });

  it('identify creates and updates a person', async () => {
    assert.deepEqual(await cio.identify('user-10001', { email: 'ann@example.com', plan: 'pro' }), {});
    assert.deepEqual(await cio.identify('user-10001', { seats: 3 }), {});
    const person = sim().person({ id: 'user-10001' });
    assert.equal(person?.email, 'ann@example.com');
    assert.deepEqual([person?.attributes.plan, person?.attributes.seats], ['pro', 3]);
    assert.match(sim().requests()[0]?.headers['user-agent'] ?? '', /Customer\.io Node Client/);
  });

  it('identify encodes identifiers with slashes so they arrive whole', async () => {
    await cio.identify('org/42/user 7+x', { a: 1 });
    assert.equal(sim().person({ id: 'org/42/user 7+x' })?.attributes.a, 1);
  });

  it('track records an event for the person, deduplicated by its id', async () => {
    const event = { name: 'Order Completed', id: '01KDX4T5G0AAAAAAAAAAAAAAAA', timestamp: 1767225600, data: { total: 42.5 } };
    assert.deepEqual(await cio.track('user-10001', event), {});
    assert.deepEqual(await cio.track('user-10001', event), {});
    const events = sim().person({ id: 'user-10001' })?.events ?? [];
    assert.deepEqual(events.map((e) => [e.name, e.timestamp, e.data]), [['Order Completed', 1767225600, { total: 42.5 }]]);
  });

  it('trackAnonymous stores the event under its anonymous_id until an identify links it', async () => {
    assert.deepEqual(await cio.trackAnonymous('dev-abc-123', { name: 'Pricing Viewed' }), {});
    assert.equal(sim().anonymousEvents()['dev-abc-123']?.[0]?.name, 'Pricing Viewed');
    await cio.identify('user-10001', { anonymous_id: 'dev-abc-123' });
    assert.deepEqual(sim().person({ id: 'user-10001' })?.events.map((e) => e.name), ['Pricing Viewed']);
  });

  it('batch posts to /api/v2/batch, resolves {} and lands every operation', async () => {
    const result = await cio.batch([
      { type: 'person', action: 'identify', identifiers: { id: 'u1' }, attributes: { plan: 'pro' } },
      { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'Signup' },
    ]);
    assert.deepEqual(result, {});
    assert.equal(sim().requests()[0]?.url, '/api/v2/batch');
    assert.deepEqual(sim().person({ id: 'u1' })?.events.map((e) => e.name), ['Signup']);
  });

  it('batch resolves a 207 with the per-item errors, as the client does with Customer.io', async () => {
    const result = (await cio.batch([
      { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'ok' },
      { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'x'.repeat(101) },
    ])) as { errors: Array<{ batch_index: number }> };
    assert.deepEqual(result.errors.map((e) => e.batch_index), [1]);
  });

  it('a wrong key gets CustomerIORequestError 401 with Customer.io\'s message', async () => {
    const wrong = new TrackClient(US.siteId, 'wrong-key', { url: `${sim().url}/api/v1`, retry: { maxRetries: 0 } });
    await assert.rejects(wrong.identify('user-10001', { plan: 'pro' }), (error: unknown) => {
      assert.ok(error instanceof CustomerIORequestError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.message, 'Unauthorized request');
      return true;
    });
    assert.deepEqual(sim().people(), []);
  });

  it('a v1 validation error reaches the client as its message list', async () => {
    await assert.rejects(cio.identify('user-10001', { bio: 'x'.repeat(1001) }), (error: unknown) => {
      assert.ok(error instanceof CustomerIORequestError);
      assert.equal(error.statusCode, 400);
      assert.match(error.message, /value for attribute 'bio' cannot be longer than 1000 bytes/);
      return true;
    });
  });

  it('getAccountRegion answers the workspace region', async () => {
    const eu = new TrackClient(EU.siteId, EU.apiKey, { region: RegionEU, url: `${sim().url}/api/v1`, retry: { maxRetries: 0 } });
    assert.deepEqual(await eu.getAccountRegion(), { url: sim().euUrl, region: 'eu', environment_id: 2 });
  });

  it('follows the wrong-region redirect, and (off customer.io hosts) drops its credentials so the EU host refuses', async () => {
    const eu = new TrackClient(EU.siteId, EU.apiKey, { url: `${sim().usUrl}/api/v1`, retry: { maxRetries: 0 } });
    await assert.rejects(eu.identify('u1', {}), (error: unknown) => error instanceof CustomerIORequestError && error.statusCode === 401);
    assert.deepEqual(sim().requests().map((r) => [r.url, r.reply && 'status' in r.reply ? r.reply.status : null]), [
      ['/us/api/v1/customers/u1', 307],
      ['/eu/api/v1/customers/u1', 401],
    ]);
  });
});
