/**
 * What the UI answers for a URL naming something that does not exist: a 404 page (or, for htmx, a
 * fragment) that quotes what was asked, escaped. An id is digits and nothing else: `/ui/syncs/%201`
 * (" 1") is no sync, not sync 1. Never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, startTestService, type TestService } from './helpers/service.js';
import { textOf, UiSession } from './helpers/ui-session.js';

describe('web UI: ids that name nothing', () => {
  let service: TestService;
  let ui: UiSession;
  let syncId: number;
  before(async () => {
    service = await startTestService();
    const sync = await service.admin('POST', '/api/syncs', {
      name: 'exists',
      project_id: 1,
      customerio: { site_id: 'site-exists', api_key: 'key-exists', region: 'us' },
    });
    assert.equal(sync.status, 201, JSON.stringify(sync.body));
    syncId = sync.body.id as number;
    ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
  });
  after(async () => {
    await service.dispose();
  });

  it('answers /ui/syncs?project= of a project that does not exist with a 404 naming it', async () => {
    for (const [project, shown] of [['999', '999'], ['abc', 'abc'], ['%201', ' 1'], ['1.0', '1.0'], ['%3Cb%3E', '<b>']] as [string, string][]) {
      const page = await ui.get(`/ui/syncs?project=${project}`);
      assert.equal(page.status, 404, project);
      assert.match(textOf(page.html), new RegExp(`No project with id '${shown.replace('.', '\\.')}'\\.`), project);
      assert.doesNotMatch(page.html, /<b>/, 'what was asked is escaped');
      assert.doesNotMatch(textOf(page.html), /Showing the syncs of/);
    }
    assert.equal((await ui.get('/ui/syncs?project=1')).status, 200, 'the Default project exists');
    assert.equal((await ui.get('/ui/syncs?project=')).status, 200, 'an empty filter is no filter');
  });

  it('shows invisible, control and bidi characters of what was asked as visible escapes', async () => {
    // the address asked for, and what the page says of it
    const cases = {
      '/ui/syncs/%E2%80%AE1': "No sync with id '<U+202E>1'.",
      '/ui/syncs/%00': "No sync with id '<U+0000>'.",
      '/ui/syncs/1%E2%80%8B': "No sync with id '1<U+200B>'.",
      '/ui/syncs/%E2%81%A7x/edit': "No sync with id '<U+2067>x'.",
      '/ui/syncs?project=%E2%80%AE1': "No project with id '<U+202E>1'.",
      '/ui/syncs?project=1%0A2': "No project with id '1<U+000A>2'.",
    };
    for (const [path, message] of Object.entries(cases)) {
      const page = await ui.get(path);
      assert.equal(page.status, 404, path);
      assert.ok(textOf(page.html).includes(message), `${path}: ${textOf(page.html).slice(0, 300)}`);
      assert.doesNotMatch(page.html, /[\u0000\u200B\u202E\u2067]/u, `${path}: no hidden character in the page`);
    }
  });

  it('refuses a query parameter given more than once, naming it, as the admin API does', async () => {
    for (const [path, name] of [['/ui/syncs?project=1&project=2', 'project'], [`/ui/syncs/${syncId}?period=ONE_HOUR&period=ONE_DAY`, 'period']] as [string, string][]) {
      const page = await ui.get(path);
      assert.equal(page.status, 400, path);
      assert.ok(textOf(page.html).includes(`${name} is given more than once; give it once`), `${path}: ${textOf(page.html).slice(0, 300)}`);
    }
  });

  it('says so when the delivery page does not know the period asked for, and shows the last hour', async () => {
    const page = await ui.get(`/ui/syncs/${syncId}?period=abc%E2%80%AE`);
    assert.equal(page.status, 200);
    assert.ok(textOf(page.html).includes("Unknown period 'abc<U+202E>'; showing the last hour."), textOf(page.html).slice(0, 600));
    assert.match(page.html, /<option value="ONE_HOUR" selected/);
    assert.doesNotMatch(textOf((await ui.get(`/ui/syncs/${syncId}?period=ONE_DAY`)).html), /Unknown period/);
    assert.doesNotMatch(textOf((await ui.get(`/ui/syncs/${syncId}`)).html), /Unknown period/);
  });

  it(`answers every /ui/ route with a sync id that is not strictly digits (or names no sync) with a 404 quoting it`, async () => {
    const ids = [['%201', ' 1'], ['1%20', '1 '], ['+1', '+1'], ['1.0', '1.0'], ['1e0', '1e0'], ['0x1', '0x1'], ['-1', '-1'], ['%3Cb%3E1', '<b>1'], ['999999', '999999']] as [string, string][];
    const routes: [string, string][] = [
      ['GET', ''],
      ['GET', '/edit'],
      ['GET', '/delete'],
      ['GET', '/trace?user_id=nobody'],
      ['POST', '/edit'],
      ['POST', '/delete'],
      ['POST', '/test-connection'],
      ['POST', '/dead-letters/replay'],
      ['POST', '/dead-letters/drop'],
    ];
    await ui.get('/ui/syncs'); // a fresh CSRF token
    for (const [id, shown] of ids) {
      for (const [method, rest] of routes) {
        const path = `/ui/syncs/${id}${rest}`;
        const reply = method === 'GET' ? await ui.get(path) : await ui.post(path, { confirm: 'delete' });
        assert.equal(reply.status, 404, `${method} ${path}`);
        assert.ok(textOf(reply.html).includes(`No sync with id '${shown}'.`), `${method} ${path}: ${textOf(reply.html).slice(0, 300)}`);
        assert.doesNotMatch(reply.html, /<b>/, 'what was asked is escaped');
      }
    }
    const fragment = await ui.request('GET', '/ui/syncs/%201?period=ONE_HOUR', { headers: { 'hx-request': 'true', 'hx-target': 'delivery-metrics' } });
    assert.equal(fragment.status, 404);
    assert.match(textOf(fragment.html), /No sync with id ' 1'\./);
    assert.equal((await ui.get(`/ui/syncs/${syncId}`)).status, 200, 'a real id still opens its sync');
    assert.equal((await service.admin('GET', `/api/syncs/${syncId}`)).status, 200, 'nothing was deleted');
  });
});
