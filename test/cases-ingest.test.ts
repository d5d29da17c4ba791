import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertExpected, loadCase, loadCases, sendStep, type Case } from './helpers/cases.js';
import { createProject, startTestService, type TestService } from './helpers/service.js';

/** Runs a case's requests against a fresh service whose project has the API key TEST_KEY. */
async function withCase<T>(c: Case, check: (service: TestService) => Promise<T>): Promise<T> {
  const service = await startTestService();
  try {
    const projectId = await createProject(service, 'cases', 'TEST_KEY');
    assert.equal(projectId, 2);
    for (const [index, step] of c.steps.entries()) {
      const reply = await sendStep(service.url, step);
      if (reply !== undefined && step.expect !== undefined) assertExpected(reply, step.expect, `${c.case} step ${index + 1}`);
    }
    return await check(service);
  } finally {
    await service.dispose();
  }
}

async function events(service: TestService, query: string) {
  return (await service.admin('GET', `/api/events?project_id=2&${query}`)).body.events as any[];
}

async function profile(service: TestService, userId: string) {
  return (await service.admin('GET', `/api/projects/2/profiles?user_id=${encodeURIComponent(userId)}`)).body.properties;
}

/** A stored change list in the shape Send Users forwards: changed values, a removed property as "". */
function asAttributes(changes: Record<string, { from?: unknown; to?: unknown }> | null): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes ?? {}).map(([key, change]) => [key, 'to' in change ? change.to : '']));
}

describe('cases: ingest replies', () => {
  for (const c of loadCases()) {
    it(`${c.case}: every request gets the expected reply`, async () => {
      await withCase(c, async () => undefined);
    });
  }
});

describe('cases: what ingest stores', () => {
  it('11-short-ids-and-min-id-length: the refused request stored nothing; the second stored user "42"', async () => {
    await withCase(loadCase('11-'), async (service) => {
      const stored = await events(service, 'limit=100');
      assert.deepEqual(stored.map((e) => [e.event_type, e.user_id, e.time]), [['Login', '42', 1767225600000]]);
    });
  });

  it('12-identify-api-bodies: each identification updated its user, a plain object meaning $set', async () => {
    await withCase(loadCase('12-'), async (service) => {
      assert.deepEqual(await profile(service, 'user-10001'), { plan: 'pro' });
      assert.deepEqual(await profile(service, 'user-10002'), { plan: 'team' });
      assert.deepEqual(await profile(service, 'user-10003'), { plan: 'free' });
      const stored = await events(service, 'limit=100');
      assert.equal(stored.length, 3, 'the refused identify stored nothing');
      assert.ok(stored.every((e) => e.event_type === '$identify' && e.source === 'identify'));
    });
  });

  for (const prefix of ['12-', '16-', '17-']) {
    const c = loadCase(prefix);
    it(`${c.case}: each update records exactly the changes the case expects Send Users to forward`, async () => {
      await withCase(c, async (service) => {
        const stored = await events(service, 'limit=100');
        const expected = (c.delivered as { attributes: Record<string, unknown>; identifiers: { id: string } }[]).map((item) => [
          item.identifiers.id,
          item.attributes,
        ]);
        assert.deepEqual(
          stored.map((e) => [e.user_id, asAttributes(e.changes)]),
          expected,
        );
      });
    });
  }

  it('17-user-property-operations: the profile ends as the operations say', async () => {
    await withCase(loadCase('17-'), async (service) => {
      assert.deepEqual(await profile(service, 'user-10001'), { plan: 'free', tags: ['z', 'b'], logins: 3 });
    });
  });

  it('09-duplicates-never-double-count: the re-posted event is stored once; events without insert_id are distinct', async () => {
    await withCase(loadCase('09-'), async (service) => {
      const stored = await events(service, 'limit=100');
      assert.deepEqual(stored.map((e) => e.event_type), ['Signup', 'Click', 'Click']);
      assert.notEqual(stored[1].insert_id, stored[2].insert_id);
    });
  });

  it('10-anonymous-activity-merges-on-login: the device is linked to the user on identify', async () => {
    await withCase(loadCase('10-'), async (service) => {
      const stored = await events(service, 'limit=100');
      assert.deepEqual(stored.map((e) => [e.event_type, e.person]), [
        ['Pricing Viewed', 'device:dev-abc-123'],
        ['$identify', 'user:user-10001'],
      ]);
      const byDevice = await service.admin('GET', '/api/projects/2/profiles?device_id=dev-abc-123');
      assert.equal(byDevice.body.person, 'user:user-10001');
    });
  });

  it('15-size-limits: 10,000-character event properties are stored whole', async () => {
    await withCase(loadCase('15-'), async (service) => {
      const stored = await events(service, 'limit=100');
      assert.equal(stored.length, 61);
      assert.equal(stored[0].payload.event_properties.blob.length, 10_000);
      assert.equal(stored[60].payload.event_properties.blob.length, 40_000);
    });
  });
});
