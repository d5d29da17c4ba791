/**
 * Every case of test/cases through the running service (ingest and admin API over HTTP) with the
 * Customer.io simulator standing in for Customer.io: what reaches Customer.io, per person and in
 * order, and what must not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeTime } from 'ulid';
import type { JsonObject } from '../src/amplitude/plain-data.js';
import { eventUlid } from '../src/customerio/event-ulid.js';
import { createTrackClient } from '../src/customerio/track-client.js';
import type { TrackItem } from '../src/customerio/track-items.js';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { assertExpected, loadCases, sendStep, type Case } from './helpers/cases.js';
import { assertDeliveredItems, CASE_CREDENTIALS, CASE_RECEIVED_AT, caseSync, type PlannedCaseItem } from './helpers/case-planning.js';
import { createProject, startTestService, type TestService } from './helpers/service.js';
import { receivedBatches, scriptedRules, type CaseReplyRule } from './helpers/simulator-cases.js';

const GOOD = { siteId: CASE_CREDENTIALS.site_id, apiKey: CASE_CREDENTIALS.api_key, region: CASE_CREDENTIALS.region };

/** Fast timings so retries and pauses resolve within a test. */
const ENGINE_ENV = {
  AMPSTREAM_RETRY_BASE_MS: '100',
  AMPSTREAM_RETRY_CAP_MS: '400',
  AMPSTREAM_PAUSE_PROBE_MS: '200',
  AMPSTREAM_BATCH_WAIT_MS: '10',
};

interface CaseRun {
  service: TestService;
  syncId: number;
  projectId: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

async function syncOf(run: CaseRun): Promise<any> {
  return (await run.service.admin('GET', `/api/syncs/${run.syncId}`)).body;
}

async function deliveries(run: CaseRun, status: string): Promise<any[]> {
  return (await run.service.admin('GET', `/api/syncs/${run.syncId}/deliveries?status=${status}&limit=1000`)).body.deliveries;
}

/** Case steps that are admin actions in words. */
const ADMIN_STEPS: Record<string, (run: CaseRun) => Promise<void>> = {
  'read the sync: its status says the credentials were rejected': async (run) => {
    const sync = await syncOf(run);
    assert.equal(sync.status.state, 'paused', JSON.stringify(sync.status));
    assert.equal(sync.status.problem, 'credentials_rejected');
    assert.match(sync.status.reason, /Unauthorized/i);
    assert.equal(sync.deliveries.pending, 2, 'the events wait');
    assert.equal(sync.deliveries.dead, 0);
  },
  'update the sync with credentials the simulator accepts': async (run) => {
    const reply = await run.service.admin('PATCH', `/api/syncs/${run.syncId}`, {
      customerio: { site_id: CASE_CREDENTIALS.site_id, api_key: CASE_CREDENTIALS.api_key, region: 'us' },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.status.state, 'active');
  },
};

async function runCase(sim: CustomerIoSimulator, testCase: Case, override: JsonObject = {}): Promise<CaseRun> {
  sim.reset();
  sim.setFaults({ scripted: scriptedRules(testCase.customerio as CaseReplyRule[] | undefined) });
  const service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, ...ENGINE_ENV } });
  const projectId = await createProject(service, 'cases', 'TEST_KEY');
  const created = await service.admin('POST', '/api/syncs', { ...caseSync(testCase, override), project_id: projectId });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const run = { service, syncId: created.body.id as number, projectId };
  for (const [index, step] of testCase.steps.entries()) {
    if (step.wait_ms !== undefined) await sleep(step.wait_ms);
    if (step.admin !== undefined) {
      const action = ADMIN_STEPS[step.admin];
      assert.ok(action, `an admin step this harness knows: ${step.admin}`);
      await action(run);
    }
    const reply = await sendStep(service.url, step);
    if (reply !== undefined && step.expect !== undefined) assertExpected(reply, step.expect, `${testCase.case} step ${index + 1}`);
  }
  await waitUntil('the sync has nothing pending', async () => (await syncOf(run)).deliveries.pending === 0);
  return run;
}

/** Accepted items with their event's time (from the stored events' ids), as the case comparison wants them. */
async function acceptedEntries(run: CaseRun, sim: CustomerIoSimulator): Promise<PlannedCaseItem[]> {
  const events = (await run.service.admin('GET', `/api/events?project_id=${run.projectId}&limit=1000`)).body.events as any[];
  const timeById = new Map(
    events.map((e) => [eventUlid({ projectId: run.projectId, deviceId: e.device_id, insertId: e.insert_id, time: e.time }), e.time as number]),
  );
  return receivedBatches(sim)
    .flatMap((batch) => batch.accepted)
    .map((item: TrackItem) => ({
      item,
      action: item.action,
      eventType: item.action === 'event' ? item.name : '$identify',
      eventTime: item.action === 'event' ? (timeById.get(item.id) ?? -1) : -1,
    }));
}

/** The sync's delivery metrics, read from the summary API, show what the case says. */
async function assertMetrics(run: CaseRun, expected: Record<string, number>): Promise<void> {
  const reply = await run.service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${run.syncId}&time_period=ONE_HOUR`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  for (const [name, value] of Object.entries(expected)) assert.equal(reply.body[name], value, `metrics ${name}: ${JSON.stringify(reply.body)}`);
}

const nameOf = (item: TrackItem) => (item.action === 'event' ? item.name : undefined);

/** Each case's words (`not_delivered`, string `delivered`), checked on the run. */
const CHECKS: Record<string, (run: CaseRun, sim: CustomerIoSimulator) => Promise<void>> = {
  '06-partial-batch-failure': async (run, sim) => {
    const dead = await deliveries(run, 'dead');
    assert.deepEqual(
      dead.map((d) => [d.item.name, d.reason, d.error.reason, d.error.field, d.error.message, d.attempts]),
      [['Bad Event', 'rejected', 'invalid', 'attributes.note', 'property value cannot be longer than 1000 bytes', 1]],
    );
    const sent = receivedBatches(sim).flatMap((b) => b.items.map(nameOf));
    assert.deepEqual(sent.sort(), ['Bad Event', 'Good One', 'Good Two'], 'each sent exactly once');
  },
  '09-duplicates-never-double-count': async (_run, sim) => {
    assert.deepEqual(sim.person({ id: 'user-10001' })?.events.map((e) => e.name), ['Signup', 'Click', 'Click']);
    // A re-send after a crash carries the same id: Customer.io accepts it and keeps one Signup.
    const signup = receivedBatches(sim).flatMap((b) => b.accepted).find((item) => nameOf(item) === 'Signup') as TrackItem;
    const client = createTrackClient({ baseUrlOverride: sim.url });
    try {
      assert.deepEqual(await client.sendBatch(GOOD, [signup]), { kind: 'delivered', status: 200 });
    } finally {
      await client.close();
    }
    assert.equal(sim.person({ id: 'user-10001' })?.events.filter((e) => e.name === 'Signup').length, 1);
  },
  '10-anonymous-activity-merges-on-login': async (_run, sim) => {
    assert.deepEqual(sim.person({ id: 'user-10001' })?.events.map((e) => e.name), ['Pricing Viewed'], 'Customer.io merged the history');
  },
  '13-rate-limited-waits-as-told': async (run, sim) => {
    const batches = receivedBatches(sim);
    assert.equal(batches[0]?.status, 429);
    assert.equal(batches[1]?.status, 200);
    assert.ok((batches[1]?.at ?? 0) - (batches[0]?.at ?? 0) >= 2000, 'no second request within 2 seconds of the 429');
    const [login] = await deliveries(run, 'delivered');
    assert.equal(login.attempts, 1, 'the 429 did not use up an attempt');
  },
  '14-rejected-credentials-pause-the-sync': async (run) => {
    assert.deepEqual(await deliveries(run, 'dead'), [], 'nothing is dead-lettered or expired');
    assert.equal((await syncOf(run)).status.state, 'active');
  },
  '15-size-limits': async (run, sim) => {
    const batches = receivedBatches(sim);
    const viewed = batches.flatMap((b) => b.accepted).filter((item) => nameOf(item) === 'Report Viewed');
    assert.equal(viewed.length, 60, "all 60 'Report Viewed' events");
    assert.ok(batches.length >= 2, 'in at least two batch requests');
    assert.ok(batches.every((b) => b.bodyBytes <= 500_000), 'each request body at most 500,000 bytes');
    assert.ok(batches.every((b) => !b.items.some((item) => nameOf(item) === 'Huge')), "'Huge' is never sent");
    const dead = await deliveries(run, 'dead');
    assert.deepEqual(dead.map((d) => [d.reason, d.attempts]), [['too_large', 0]]);
    assert.match(dead[0].error.message, /32 KB/);
  },
};

describe('cases end to end: service + simulator', () => {
  let sim: CustomerIoSimulator;
  before(async () => {
    // The simulator's clock runs from just after the cases' event times (Customer.io merges
    // anonymous events of the last 30 days), at the real pace (Retry-After waits are real).
    const offset = Date.now() - CASE_RECEIVED_AT;
    sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [GOOD], now: () => Date.now() - offset });
  });
  after(() => sim.close());

  for (const testCase of loadCases()) {
    it(testCase.case, async () => {
      const run = await runCase(sim, testCase);
      try {
        if (Array.isArray(testCase.delivered)) {
          assertDeliveredItems(testCase.delivered as JsonObject[], await acceptedEntries(run, sim));
        }
        await CHECKS[testCase.case]?.(run, sim);
        if (testCase.metrics !== undefined) await assertMetrics(run, testCase.metrics);
      } finally {
        await run.service.dispose();
      }
    });
  }

  it('10-anonymous-activity-merges-on-login, with anonymous off: the device-only event is discarded with the reason "no identifier"', async () => {
    const testCase = loadCases().find((c) => c.case.startsWith('10-')) as Case;
    const run = await runCase(sim, testCase, { send_events: { anonymous: false } });
    try {
      const discarded = await deliveries(run, 'discarded');
      assert.deepEqual(discarded.map((d) => [d.action, d.reason]), [['event', 'no identifier']]);
      assert.ok(!receivedBatches(sim).some((b) => b.items.some((item) => nameOf(item) === 'Pricing Viewed')));
    } finally {
      await run.service.dispose();
    }
  });
});
