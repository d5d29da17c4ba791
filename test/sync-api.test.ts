/**
 * The sync admin API as a client uses it: GET → edit → PUT/PATCH round trips, bodies that are
 * empty or of the wrong kind, and the metrics endpoints' date checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { SIM_WORKSPACE } from './helpers/delivery-load.js';
import { ADMIN_TOKEN, createProject, request, startTestService, type Reply, type TestService } from './helpers/service.js';

let sim: CustomerIoSimulator;
let service: TestService;
let projectId: number;

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [SIM_WORKSPACE] });
  service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_DELIVERY: 'off' } });
  projectId = await createProject(service, 'sync api', 'SYNC_API_KEY_0001');
});

after(async () => {
  await service?.dispose();
  await sim?.close();
});

let names = 0;
/** Creates a sync with a fresh name and returns the API's view of it. */
async function createSync(extra: Record<string, unknown> = {}): Promise<any> {
  names++;
  const reply = await service.admin('POST', '/api/syncs', {
    name: `sync ${names}`,
    project_id: projectId,
    customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    ...extra,
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body;
}

/** Sends `body` as is (a string, or nothing) with the given Content-Type and the admin token. */
function raw(method: string, path: string, contentType: string | undefined, body?: string): Promise<Reply> {
  return request(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body }),
  });
}

describe('sync API: GET → edit → PUT or PATCH', () => {
  it('PUT takes back what GET answered, read-only fields and all, and applies the edit', async () => {
    const created = await createSync();
    const shown = (await service.admin('GET', `/api/syncs/${created.id}`)).body;
    for (const field of ['id', 'status', 'deliveries', 'oldest_pending_at', 'dead_letters', 'created_at', 'updated_at', 'revision']) {
      assert.ok(field in shown, `GET shows ${field}`);
    }
    const replaced = await service.admin('PUT', `/api/syncs/${created.id}`, { ...shown, send_events: { ...shown.send_events, anonymous: true } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body.send_events.anonymous, true);
    assert.equal(replaced.body.id, created.id);
    assert.deepEqual(replaced.body.customerio, { site_id: SIM_WORKSPACE.siteId, region: 'us', api_key_set: true });
    const test = await service.admin('POST', `/api/syncs/${created.id}/test`);
    assert.deepEqual(test.body, { ok: true, region: 'us' }, 'the key was kept');
  });

  it('PATCH takes back what GET answered too', async () => {
    const created = await createSync();
    const shown = (await service.admin('GET', `/api/syncs/${created.id}`)).body;
    const patched = await service.admin('PATCH', `/api/syncs/${created.id}`, { ...shown, name: `${shown.name} (renamed)` });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.name, `${shown.name} (renamed)`);
  });

  it("refuses an id that is not the URL's, naming id; nothing changes", async () => {
    const created = await createSync();
    const other = await createSync();
    const shown = (await service.admin('GET', `/api/syncs/${other.id}`)).body;
    for (const method of ['PUT', 'PATCH']) {
      const reply = await service.admin(method, `/api/syncs/${created.id}`, { ...shown, name: 'moved' });
      assert.equal(reply.status, 400, method);
      assert.equal(reply.body.error, 'invalid_request');
      assert.equal(reply.body.field, 'id');
      assert.match(reply.body.message, new RegExp(`^id: this is sync ${created.id} \\(the URL's id\\)`));
    }
    assert.equal((await service.admin('GET', `/api/syncs/${created.id}`)).body.name, created.name);
  });

  it('an emptied or mistyped site_id is named as such, not as a missing key; a new valid one still needs its key', async () => {
    const created = await createSync();
    for (const [method, siteId] of [['PATCH', ''], ['PATCH', 5], ['PUT', '']] as const) {
      const body = method === 'PATCH' ? { customerio: { site_id: siteId } } : { ...created, customerio: { site_id: siteId, region: 'us' } };
      const reply = await service.admin(method, `/api/syncs/${created.id}`, body);
      assert.equal(reply.status, 400, `${method} ${JSON.stringify(siteId)}`);
      assert.equal(reply.body.field, 'customerio.site_id', `${method} ${JSON.stringify(siteId)}: ${reply.body.message}`);
      assert.match(reply.body.message, /^customerio\.site_id: /);
    }
    const moved = await service.admin('PATCH', `/api/syncs/${created.id}`, { customerio: { site_id: 'another-site' } });
    assert.equal(moved.status, 400);
    assert.deepEqual(moved.body, {
      error: 'invalid_request',
      message: 'customerio.api_key: required when customerio.site_id changes (a Track API key belongs to one site)',
      field: 'customerio.api_key',
    });
    assert.equal((await service.admin('GET', `/api/syncs/${created.id}`)).body.customerio.site_id, SIM_WORKSPACE.siteId, 'nothing changed');
  });

  it('POST takes what GET answered, so GET → new name (and the key) → POST copies a sync; id and the other read-only fields are ignored', async () => {
    const original = await createSync({ send_events: { enabled: true, events: [{ event_type: 'Order Completed', where: [] }], anonymous: true } });
    const shown = (await service.admin('GET', `/api/syncs/${original.id}`)).body;
    const copy = await service.admin('POST', '/api/syncs', { ...shown, name: `${shown.name} (copy)`, customerio: { ...shown.customerio, api_key: SIM_WORKSPACE.apiKey } });
    assert.equal(copy.status, 201, JSON.stringify(copy.body));
    assert.notEqual(copy.body.id, original.id, 'a new sync, whatever id the body says');
    const settings = ({ id: _id, name: _name, created_at: _c, updated_at: _u, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(settings(copy.body), settings(shown), 'the same settings, status and (empty) counts');
    assert.equal((await service.admin('GET', `/api/syncs/${original.id}`)).body.name, original.name, 'the original is untouched');
    assert.deepEqual((await service.admin('POST', `/api/syncs/${copy.body.id}/test`)).body, { ok: true, region: 'us' });

    const withoutKey = await service.admin('POST', '/api/syncs', { ...shown, name: `${shown.name} (copy 2)` });
    assert.equal(withoutKey.status, 400);
    assert.equal(withoutKey.body.field, 'customerio.api_key');
    assert.match(withoutKey.body.message, /^customerio\.api_key: required: GET never shows the key; a new sync needs it sent/);
    const notTrue = await service.admin('POST', '/api/syncs', { ...shown, name: `${shown.name} (copy 3)`, customerio: { ...shown.customerio, api_key_set: false, api_key: 'k' } });
    assert.equal(notTrue.body.field, 'customerio.api_key_set');
    const typo = await service.admin('POST', '/api/syncs', { ...shown, name: `${shown.name} (copy 4)`, customerio: { ...shown.customerio, api_key: 'k' }, statuss: 'x' });
    assert.equal(typo.body.field, 'statuss', 'other fields are still validated');
  });

  it('still refuses a field GET never shows', async () => {
    const created = await createSync();
    const reply = await service.admin('PUT', `/api/syncs/${created.id}`, { ...created, send_user: {} });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.field, 'send_user');
  });
});

describe('sync API: names are unique per project', () => {
  it('a second sync of a project with a name already used is a 409 conflict naming name, on create and on rename', async () => {
    const first = await createSync();
    const second = await createSync();
    const duplicate = await service.admin('POST', '/api/syncs', { name: first.name, project_id: projectId, customerio: { site_id: 'other', api_key: 'other-key' } });
    assert.equal(duplicate.status, 409, JSON.stringify(duplicate.body));
    assert.equal(duplicate.body.error, 'conflict');
    assert.equal(duplicate.body.field, 'name');
    assert.match(duplicate.body.message, new RegExp(`^name: sync ${first.id} of project ${projectId} is already called "${first.name}"`));
    const renamed = await service.admin('PATCH', `/api/syncs/${second.id}`, { name: first.name });
    assert.equal(renamed.status, 409);
    assert.equal(renamed.body.field, 'name');
    const otherCase = await service.admin('POST', '/api/syncs', { name: ` ${first.name.toUpperCase()} `, project_id: projectId, customerio: { site_id: 'other', api_key: 'other-key' } });
    assert.equal(otherCase.status, 409, 'names are compared without case and surrounding spaces, as project names are');
    assert.equal(otherCase.body.field, 'name');

    const hearts = await createSync({ name: 'Hearts ❤️ to\u00a0CIO' });
    assert.equal(hearts.name, 'Hearts ❤️ to CIO', 'a no-break space is stored as a space');
    for (const name of ['hearts ❤ to CIO', 'Hearts ❤️ to\u202fCIO', 'Hearts\u2003❤️  to CIO']) {
      const lookalike = await service.admin('POST', '/api/syncs', { name, project_id: projectId, customerio: { site_id: 'other', api_key: 'other-key' } });
      assert.equal(lookalike.status, 409, `${JSON.stringify(name)}: variation selectors, joiners and kinds of spaces do not make another name`);
      assert.equal(lookalike.body.field, 'name');
    }

    const otherProject = await createProject(service, 'another project', 'SYNC_API_KEY_0002');
    const elsewhere = await service.admin('POST', '/api/syncs', {
      name: first.name,
      project_id: otherProject,
      customerio: { site_id: 'other', api_key: 'other-key' },
    });
    assert.equal(elsewhere.status, 201, 'the same name in another project is fine');
  });
});

/** Calls the admin API with extra headers; gives the reply with its headers. */
async function withHeaders(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), body: text === '' ? undefined : JSON.parse(text) };
}

describe('sync API: ETag and If-Match (optimistic concurrency)', () => {
  it('GET, POST, PUT and PATCH answer the revision as an ETag and in the JSON; every saved change moves it on', async () => {
    const created = await withHeaders('POST', '/api/syncs', {}, {
      name: 'etag sync',
      project_id: projectId,
      customerio: { site_id: SIM_WORKSPACE.siteId, api_key: SIM_WORKSPACE.apiKey, region: 'us' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.revision, 1);
    assert.equal(created.etag, '"1"');
    const shown = await withHeaders('GET', `/api/syncs/${created.body.id}`, {});
    assert.equal(shown.etag, '"1"');
    const patched = await withHeaders('PATCH', `/api/syncs/${created.body.id}`, {}, { enabled: false });
    assert.equal(patched.status, 200);
    assert.equal(patched.etag, '"2"');
    assert.equal(patched.body.revision, 2);
    const replaced = await withHeaders('PUT', `/api/syncs/${created.body.id}`, {}, { ...patched.body, enabled: true });
    assert.equal(replaced.etag, '"3"');
    assert.equal((await withHeaders('GET', `/api/syncs/${created.body.id}`, {})).etag, '"3"');
    const listed = (await service.admin('GET', `/api/syncs?project_id=${projectId}`)).body.syncs.find((s: any) => s.id === created.body.id);
    assert.equal(listed.revision, 3, 'the list shows each sync\'s revision');
  });

  it('a PUT or PATCH with an If-Match of an older revision is a 412 precondition_failed and changes nothing', async () => {
    const created = await createSync();
    const first = await withHeaders('GET', `/api/syncs/${created.id}`, {});
    const other = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': first.etag as string }, { name: `${created.name} by the other tab` });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    for (const method of ['PUT', 'PATCH']) {
      const stale = await withHeaders(method, `/api/syncs/${created.id}`, { 'if-match': first.etag as string }, { ...first.body, name: `${created.name} (stale)` });
      assert.equal(stale.status, 412, method);
      assert.equal(stale.body.error, 'precondition_failed');
      assert.equal(
        stale.body.message,
        `sync ${created.id} is at revision 2; If-Match named "1"; nothing was changed: GET it again, apply the edit to what it shows and send its ETag in If-Match`,
      );
      assert.deepEqual(Object.keys(stale.body).sort(), ['error', 'message'], 'the usual error shape');
    }
    const now = (await withHeaders('GET', `/api/syncs/${created.id}`, {})).body;
    assert.equal(now.name, `${created.name} by the other tab`, 'the other change stays');
    assert.equal(now.revision, 2);
  });

  it('a PUT or PATCH with the current revision in If-Match saves (a list of tags, a weak tag and * match too)', async () => {
    const created = await createSync();
    const put = await withHeaders('PUT', `/api/syncs/${created.id}`, { 'if-match': '"1"' }, { ...created, enabled: false });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.etag, '"2"');
    const list = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': '"7", "2"' }, { enabled: true });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const weak = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': 'W/"3"' }, { enabled: false });
    assert.equal(weak.status, 200, 'a weak tag (a proxy that compressed the reply makes one) names the same revision');
    const any = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': '*' }, { enabled: true });
    assert.equal(any.status, 200);
    assert.equal(any.body.revision, 5);
  });

  it('without If-Match the last write wins, as before', async () => {
    const created = await createSync();
    const shown = (await withHeaders('GET', `/api/syncs/${created.id}`, {})).body;
    await withHeaders('PATCH', `/api/syncs/${created.id}`, {}, { name: `${created.name} (first)` });
    const second = await withHeaders('PUT', `/api/syncs/${created.id}`, {}, { ...shown, name: `${created.name} (second)`, revision: 1 });
    assert.equal(second.status, 200, 'a revision in the body is read-only and ignored, as the other fields GET shows');
    assert.equal(second.body.name, `${created.name} (second)`);
    assert.equal(second.body.revision, 3);
  });

  it('a malformed If-Match is a 400 naming If-Match, not a 412 and not a 500; nothing changes', async () => {
    const created = await createSync();
    // "01" or "0" would be revision 1 or 0 read as numbers: tags are compared as text, and this server never gives those
    for (const value of ['1', '"one"', 'W/', '"1', '"1",', '', '"99999999999999999999"', '*, "1"', '"01"', 'W/"001"', '"0"', '"+1"', '" 1"']) {
      const reply = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': value }, { enabled: false });
      assert.equal(reply.status, 400, `If-Match: ${value}`);
      assert.equal(reply.body.error, 'invalid_request');
      assert.equal(reply.body.field, 'If-Match');
      assert.match(reply.body.message, /^If-Match: /);
    }
    assert.equal((await withHeaders('GET', `/api/syncs/${created.id}`, {})).body.revision, 1);
  });

  it('DELETE takes If-Match as PUT and PATCH do: a stale tag is a 412 and deletes nothing, a malformed one a 400', async () => {
    const created = await createSync();
    for (let i = 0; i < 5; i++) await withHeaders('PATCH', `/api/syncs/${created.id}`, {}, { name: `${created.name} #${i}` });
    assert.equal((await withHeaders('GET', `/api/syncs/${created.id}`, {})).etag, '"6"');
    const stale = await withHeaders('DELETE', `/api/syncs/${created.id}`, { 'if-match': '"1"' });
    assert.equal(stale.status, 412, JSON.stringify(stale.body));
    assert.equal(stale.body.error, 'precondition_failed');
    assert.match(stale.body.message, /nothing was deleted/);
    for (const value of ['1', '"one"', '', '*, "6"']) {
      const malformed = await withHeaders('DELETE', `/api/syncs/${created.id}`, { 'if-match': value });
      assert.equal(malformed.status, 400, `If-Match: ${value}`);
      assert.equal(malformed.body.field, 'If-Match');
    }
    assert.equal((await withHeaders('GET', `/api/syncs/${created.id}`, {})).status, 200, 'still there');
    const deleted = await withHeaders('DELETE', `/api/syncs/${created.id}`, { 'if-match': '"6"' });
    assert.equal(deleted.status, 204);
    assert.equal((await withHeaders('GET', `/api/syncs/${created.id}`, {})).status, 404);
    assert.equal((await withHeaders('DELETE', `/api/syncs/${created.id}`, { 'if-match': '"6"' })).status, 404, 'gone: a 404, not a 412');
    const other = await createSync();
    assert.equal((await withHeaders('DELETE', `/api/syncs/${other.id}`, { 'if-match': '*' })).status, 204, '* deletes whatever the revision');
  });

  it('a change that changes nothing saves nothing: 200 with the same revision and ETag, so an open editor sees no conflict', async () => {
    const created = await createSync();
    const empty = await withHeaders('PATCH', `/api/syncs/${created.id}`, {}, {});
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
    assert.equal(empty.etag, '"1"', 'PATCH {}');
    assert.equal(empty.body.revision, 1);
    assert.equal(empty.body.updated_at, created.updated_at, 'not even the time of the last change moves');
    const same = await withHeaders('PUT', `/api/syncs/${created.id}`, { 'if-match': '"1"' }, { ...created, customerio: { ...created.customerio } });
    assert.equal(same.status, 200);
    assert.equal(same.etag, '"1"', 'PUT of what GET answered, with If-Match');
    for (const enabled of [false, false, true, true]) {
      await withHeaders('PATCH', `/api/syncs/${created.id}`, {}, { enabled });
    }
    assert.equal((await withHeaders('GET', `/api/syncs/${created.id}`, {})).etag, '"3"', 'disable twice, enable twice: two changes');
    const stale = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': '"1"' }, {});
    assert.equal(stale.status, 412, 'a stale If-Match is still refused, change or not');
  });

  it('a tag above the current revision is a 412 with a neutral message, not "changed since"', async () => {
    const created = await createSync();
    const ahead = await withHeaders('PATCH', `/api/syncs/${created.id}`, { 'if-match': '"7", "8"' }, { enabled: false });
    assert.equal(ahead.status, 412);
    assert.match(ahead.body.message, new RegExp(`^sync ${created.id} is at revision 1; If-Match named "7", "8"; nothing was changed`));
    const deleted = await withHeaders('DELETE', `/api/syncs/${created.id}`, { 'if-match': 'W/"7"' });
    assert.equal(deleted.status, 412);
    assert.match(deleted.body.message, new RegExp(`^sync ${created.id} is at revision 1; If-Match named "7"; nothing was deleted`));
  });

  it('a sync that does not exist is a 404 with If-Match too', async () => {
    const reply = await withHeaders('PATCH', '/api/syncs/999999', { 'if-match': '"1"' }, { enabled: false });
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error, 'not_found');
  });
});

describe('admin API: an empty JSON body means no body', () => {
  it('DELETE with Content-Type: application/json and no body deletes', async () => {
    const created = await createSync();
    const deleted = await raw('DELETE', `/api/syncs/${created.id}`, 'application/json');
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await service.admin('GET', `/api/syncs/${created.id}`)).status, 404);
  });

  it('POST …/test with Content-Type: application/json and no body tests the credentials', async () => {
    const created = await createSync();
    const tested = await raw('POST', `/api/syncs/${created.id}/test`, 'application/json');
    assert.equal(tested.status, 200, tested.text);
    assert.deepEqual(tested.body, { ok: true, region: 'us' });
  });

  it('POST …/dead-letters/replay and /drop with an empty body select every dead letter, as {} does', async () => {
    const created = await createSync();
    for (const action of ['replay', 'drop']) {
      for (const contentType of ['application/json', undefined]) {
        const reply = await raw('POST', `/api/syncs/${created.id}/dead-letters/${action}`, contentType);
        assert.equal(reply.status, 200, `${action} ${contentType}: ${reply.text}`);
        assert.deepEqual(reply.body, action === 'replay' ? { replayed: [], skipped: [] } : { dropped: 0 });
      }
    }
  });

  it('still refuses JSON that is not valid, and a __proto__ key, saying which', async () => {
    const broken = await raw('POST', '/api/syncs', 'application/json', '{"name":');
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error, 'invalid_request');
    assert.match(broken.body.message, /not valid JSON/);
    const body = JSON.stringify({ name: 'proto', project_id: projectId, customerio: { site_id: 's', api_key: 'k' } }).replace(
      '"customerio":{',
      '"customerio":{"__proto__":{"polluted":true},',
    );
    const proto = await raw('POST', '/api/syncs', 'application/json', body);
    assert.equal(proto.status, 400);
    assert.equal(proto.body.field, 'customerio.__proto__');
    assert.match(proto.body.message, /"__proto__" key is not allowed/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const patch = await raw('PATCH', '/api/syncs/1', 'application/merge-patch+json', '{"__proto__":{"name":"x"}}');
    assert.equal(patch.status, 400);
    assert.equal(patch.body.field, '__proto__');
  });

  it('a sync sent as text/plain is refused saying which Content-Type to send', async () => {
    const reply = await raw('POST', '/api/syncs', 'text/plain', JSON.stringify({ name: 'plain', project_id: projectId }));
    assert.equal(reply.status, 415);
    assert.equal(reply.body.error, 'unsupported_media_type');
    assert.match(reply.body.message, /application\/json/);
  });
});

describe('metrics: dates that cannot be right are refused', () => {
  it('the time series refuses from after to, naming from', async () => {
    const created = await createSync();
    const reply = await service.admin('GET', `/api/syncs/${created.id}/metrics?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`);
    assert.equal(reply.status, 400, JSON.stringify(reply.body));
    assert.equal(reply.body.field, 'from');
    assert.match(reply.body.message, /from must be before to/);
  });

  it('the summary API refuses a CUSTOM date that is not on the calendar, naming it', async () => {
    const created = await createSync();
    const now = new Date();
    const year = now.getUTCFullYear() + 1;
    for (const [start, end, field] of [
      [`${year}-11-31T00:00:00Z`, `${year}-12-02T00:00:00Z`, 'start'],
      [`${year}-02-01T00:00:00Z`, `${year}-02-30T00:00:00Z`, 'end'],
      [`${year}-02-01T24:30:00Z`, `${year}-02-02T00:00:00Z`, 'start'],
    ]) {
      const query = `sync_id=${created.id}&time_period=CUSTOM&start=${encodeURIComponent(start as string)}&end=${encodeURIComponent(end as string)}`;
      const reply = await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?${query}`);
      assert.equal(reply.status, 400, `${start} ${end}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.field, field);
      assert.match(reply.body.message, new RegExp(`^${field} is not a date on the calendar: `));
    }
    const november = `sync_id=${created.id}&time_period=CUSTOM&start=${year}-11-31T00:00:00Z&end=${year}-12-02T00:00:00Z`;
    const reply = await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?${november}`);
    assert.equal(reply.body.message, `start is not a date on the calendar: ${year}-11 has days 01 to 30`);
  });

  it('the time series refuses a date that is not on the calendar too, instead of rolling it over', async () => {
    const created = await createSync();
    const reply = await service.admin('GET', `/api/syncs/${created.id}/metrics?from=2026-11-31T00:00:00Z&to=2026-12-02T00:00:00Z`);
    assert.equal(reply.status, 400);
    assert.equal(reply.body.field, 'from');
    assert.equal(reply.body.message, 'from is not a date on the calendar: 2026-11 has days 01 to 30');
  });

  it('dead-letter from/to and the time series take only ISO-8601 date-times on the calendar, naming the field', async () => {
    const created = await createSync();
    const path = `/api/syncs/${created.id}`;
    for (const [text, problem] of [
      ['March 3', /must be an ISO-8601 date and time/],
      ['2026-03-03', /must be an ISO-8601 date and time/],
      ['1772496000000', /must be an ISO-8601 date and time/],
      ['2026-02-30T00:00:00Z', /is not a date on the calendar: 2026-02 has days 01 to 28/],
    ] as const) {
      for (const field of ['from', 'to']) {
        const calls = [
          service.admin('GET', `${path}/dead-letters?${field}=${encodeURIComponent(text)}`),
          service.admin('POST', `${path}/dead-letters/replay`, { [field]: text }),
          service.admin('POST', `${path}/dead-letters/drop`, { [field]: text }),
          service.admin('GET', `${path}/metrics?${field}=${encodeURIComponent(text)}`),
        ];
        for (const reply of await Promise.all(calls)) {
          assert.equal(reply.status, 400, `${field}=${text}: ${JSON.stringify(reply.body)}`);
          assert.equal(reply.body.field, field);
          assert.match(reply.body.message, new RegExp(`^${field} ${problem.source}`));
        }
      }
    }
    const from = encodeURIComponent('2026-03-03T00:00:00+01:00');
    assert.equal((await service.admin('GET', `${path}/dead-letters?from=${from}&to=2026-03-04T00:00:00.000Z`)).status, 200);
    assert.equal((await service.admin('POST', `${path}/dead-letters/drop`, { from: '2026-03-03T00:00', to: '2026-03-04T00:00:00Z' })).status, 200);
  });

  it('says that a + left unencoded in the query string must be sent as %2B', async () => {
    const created = await createSync();
    const year = new Date().getUTCFullYear() + 1;
    const query = `sync_id=${created.id}&time_period=CUSTOM&start=${year}-12-01T07:00:00+01:00&end=${year}-12-02T00:00:00Z`;
    const unencoded = await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?${query}`);
    assert.equal(unencoded.status, 400);
    assert.equal(unencoded.body.field, 'start');
    assert.match(unencoded.body.message, /a \+ in a query string must be sent as %2B/);
    const encoded = await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?${query.replace('+', '%2B')}`);
    assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
    assert.equal(encoded.body.timePeriodStart, `${year}-12-01 06:00:00.000000`);
  });
});

describe('admin API: a choice of values says which are allowed', () => {
  it('a dead-letter reason or a time period that is not one of the choices lists the choices', async () => {
    const created = await createSync();
    const replay = await service.admin('POST', `/api/syncs/${created.id}/dead-letters/replay`, { reason: 'bounced' });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.field, 'reason');
    assert.equal(replay.body.message, 'reason: must be one of "rejected", "expired", "too_large"');
    const summary = await service.admin('GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${created.id}&time_period=ONE_YEAR`);
    assert.equal(summary.status, 400);
    assert.match(summary.body.message, /time_period: must be one of "TEN_MINUTES", "ONE_HOUR", .*"CUSTOM"$/);
  });
});
