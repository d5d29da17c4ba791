import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTrackClient, type TrackClient } from '../src/customerio/track-client.js';
import type { TrackItem } from '../src/customerio/track-items.js';
import { EU, useSimulator, US } from './simulator-client.js';

const items: TrackItem[] = [
  { type: 'person', action: 'event', identifiers: { id: 'user-10001' }, name: 'Good One', id: '01KDX4T5G0AAAAAAAAAAAAAAAA', timestamp: 1767225600, attributes: {} },
  { type: 'person', action: 'event', identifiers: { id: 'user-10002' }, name: 'Bad Event', id: '01KDX4T5G0BBBBBBBBBBBBBBBB', timestamp: 1767225601, attributes: {} },
  { type: 'person', action: 'identify', identifiers: { id: 'user-10003' }, timestamp: 1767225602, attributes: { plan: 'pro' } },
];

describe('Track client against the simulator (base URL override)', () => {
  const sim = useSimulator();
  let client: TrackClient;
  before(() => {
    client = createTrackClient({ baseUrlOverride: sim().url, timeoutMs: 2_000 });
  });
  after(() => client.close());
  beforeEach(() => sim().setFaults({}));

  it('delivers a batch to /api/v2/batch with Basic credentials', async () => {
    assert.deepEqual(await client.sendBatch(US, items), { kind: 'delivered', status: 200 });
    assert.equal(sim().requests()[0]?.url, '/api/v2/batch');
    assert.deepEqual(JSON.parse(sim().requests()[0]?.body ?? ''), { batch: items });
    assert.deepEqual(sim().person({ id: 'user-10001' })?.events.map((e) => e.name), ['Good One']);
    assert.equal(sim().person({ id: 'user-10003' })?.attributes.plan, 'pro');
  });

  it('names the items a 207 rejects, with reason, field and message', async () => {
    sim().setFaults({ scripted: [{ match: { itemName: 'Bad Event' }, rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'too long' } }] });
    assert.deepEqual(await client.sendBatch(US, items), {
      kind: 'items_rejected',
      status: 207,
      failures: [{ batchIndex: 1, reason: 'invalid', field: 'attributes.note', message: 'too long' }],
      othersAccepted: true,
    });
  });

  it('reports rejected credentials as a configuration problem', async () => {
    assert.deepEqual(await client.sendBatch({ ...US, apiKey: 'wrong' }, items), {
      kind: 'configuration',
      status: 401,
      problem: 'credentials_rejected',
      message: 'Unauthorized request',
    });
  });

  it('reports 429 with its Retry-After', async () => {
    sim().setFaults({ scripted: [{ match: { path: '/api/v2/batch' }, times: 1, reply: { status: 429, headers: { 'Retry-After': '2' }, body: {} } }] });
    assert.deepEqual(await client.sendBatch(US, items), { kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
  });

  it('reports 5xx with an HTML body, 408, resets and timeouts as retryable', async () => {
    sim().setFaults({ errorRate: 1, errorStatuses: [502] });
    assert.deepEqual(pick(await client.sendBatch(US, items)), ['retryable', 'server_error']);
    sim().setFaults({ errorRate: 1, errorStatuses: [408] });
    assert.deepEqual(pick(await client.sendBatch(US, items)), ['retryable', 'request_timeout']);
    sim().setFaults({ resetRate: 1 });
    assert.deepEqual(pick(await client.sendBatch(US, items)), ['retryable', 'connection_reset']);
    const quick = createTrackClient({ baseUrlOverride: sim().url, timeoutMs: 100 });
    try {
      sim().setFaults({ timeoutRate: 1 });
      assert.deepEqual(pick(await quick.sendBatch(US, items)), ['retryable', 'timeout']);
    } finally {
      await quick.close();
    }
  });

  it('checks credentials and the region through the region lookup', async () => {
    assert.deepEqual(await client.checkCredentials(US), { kind: 'valid', region: 'us', environmentId: 1 });
    assert.deepEqual(await client.checkCredentials(EU), { kind: 'valid', region: 'eu', environmentId: 2 });
    const wrongRegion = await client.checkCredentials({ ...EU, region: 'us' });
    assert.equal(wrongRegion.kind === 'configuration' && wrongRegion.problem, 'wrong_region');
    const wrongKey = await client.checkCredentials({ ...US, apiKey: 'nope' });
    assert.equal(wrongKey.kind === 'configuration' && wrongKey.problem, 'credentials_rejected');
  });

  it('never sends the api key anywhere but the Authorization header', async () => {
    await client.sendBatch(US, items);
    assert.ok(!JSON.stringify(sim().requests()).includes(US.apiKey));
  });
});

describe('Track client on a region host', () => {
  const sim = useSimulator();

  it('reports a wrong-region redirect as a configuration problem, without following it', async () => {
    const client = createTrackClient({ baseUrlOverride: sim().usUrl });
    try {
      const outcome = await client.sendBatch(EU, items);
      assert.equal(outcome.kind === 'configuration' && outcome.problem, 'wrong_region');
      assert.equal(outcome.kind === 'configuration' && outcome.location, `${sim().euUrl}/api/v2/batch`);
      assert.equal(sim().requests().length, 1);
      assert.deepEqual(sim().people('site-eu'), []);
    } finally {
      await client.close();
    }
  });

  it('reaches a path-prefixed override URL', async () => {
    const client = createTrackClient({ baseUrlOverride: `${sim().euUrl}/` });
    try {
      assert.deepEqual(await client.sendBatch(EU, items), { kind: 'delivered', status: 200 });
      assert.equal(sim().requests()[0]?.url, '/eu/api/v2/batch');
    } finally {
      await client.close();
    }
  });

  it('reports an unreachable host as retryable', async () => {
    const client = createTrackClient({ baseUrlOverride: 'http://127.0.0.1:1' });
    try {
      assert.deepEqual(pick(await client.sendBatch(US, items)), ['retryable', 'connection_failed']);
    } finally {
      await client.close();
    }
  });
});

function pick(outcome: Awaited<ReturnType<TrackClient['sendBatch']>>): [string, string | undefined] {
  return [outcome.kind, outcome.kind === 'retryable' ? outcome.cause : undefined];
}
