/**
 * The Projects page: a person creates a project through the form, sees its API key once with the
 * ingest URL to put in an SDK, and the key works for ingestion; bad input is shown at its field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, postJson, startTestService, type TestService } from './helpers/service.js';
import { textOf, UiSession } from './helpers/ui-session.js';

describe('web UI: projects', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(async () => {
    await service.dispose();
  });

  it('creates a project, shows its key once with the ingest URL, and the key ingests', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const created = await ui.post('/ui/projects', { name: 'Web shop' });
    assert.equal(created.status, 303);
    const page = await ui.follow(created);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const key = /id="new-api-key" type="text" readonly="" value="([^"]+)"|id="new-api-key"[^>]*value="([^"]+)"/.exec(page.html);
    const apiKey = (key?.[1] ?? key?.[2]) as string;
    assert.ok(apiKey !== undefined && apiKey.length >= 16, 'the key is on the page');
    assert.match(page.html, new RegExp(`value="${service.url}/2/httpapi"`), 'the ingest URL to put in serverUrl');
    assert.match(textOf(page.html), /Web shop/);
    const reply = await postJson(`${service.url}/2/httpapi`, { api_key: apiKey, events: [{ user_id: 'user-00001', event_type: 'Signed Up' }] });
    assert.equal(reply.status, 200, 'the key shown works with the ingest API');
    const again = await ui.get('/ui/projects');
    assert.ok(!again.html.includes(apiKey), 'shown once: a reload no longer shows the key');
    assert.match(textOf(again.html), new RegExp(`(^|[^…])…${apiKey.slice(-4)}`), 'the list shows the key hint, one ellipsis');
  });

  it('shows a problem next to the field it concerns and creates nothing', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const blank = await ui.post('/ui/projects', { name: '   ' });
    assert.equal(blank.status, 400);
    assert.match(blank.html, /<p class="field-error" id="f-name-error" role="alert">name: must not be empty/);
    const invisible = await ui.post('/ui/projects', { name: 'Sh\u200bop' });
    assert.equal(invisible.status, 400, 'a zero-width space would make two names that look the same differ');
    assert.match(invisible.html, /id="f-name-error"[^>]*>name: must not contain invisible or format characters \(found U\+200B\)/);
    const flipped = await ui.post('/ui/projects', { name: 'Shop\u202eexe' });
    assert.equal(flipped.status, 400, 'a bidirectional override would make the name read as something else');
    assert.match(flipped.html, /id="f-name-error"[^>]*>name: must not contain control characters or bidirectional overrides/);
    const mark = await ui.post('/ui/projects', { name: '\u0301' });
    assert.equal(mark.status, 400, 'a combining mark alone would sit on the text before the name');
    assert.match(mark.html, /id="f-name-error"[^>]*>name: must not start with a combining mark \(found U\+0301\)/);
    const shortKey = await ui.post('/ui/projects', { name: 'Shop', api_key: 'short' });
    assert.equal(shortKey.status, 400);
    assert.match(shortKey.html, /id="f-api_key-error"/);
    assert.match(shortKey.html, /value="Shop"/, 'what was typed stays');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before);
  });

  it('takes any valid name from the form: no maxlength cuts 200 emoji (400 UTF-16 units), spaces around are removed', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const page = await ui.get('/ui/projects');
    assert.doesNotMatch(page.html, /id="f-name"[^>]*maxlength/);
    assert.match(page.html, /id="f-name-hint"[^>]*>[^<]*at most 200 characters/, 'the limit is said next to the field');
    const created = await ui.post('/ui/projects', { name: ` ${'🌱'.repeat(200)} ` });
    assert.equal(created.status, 303);
    const names = (await service.admin('GET', '/api/projects')).body.projects.map((p: { name: string }) => p.name);
    assert.ok(names.includes('🌱'.repeat(200)));
  });

  it('refuses a name another project has, whatever its case, next to the field', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    assert.equal((await ui.post('/ui/projects', { name: 'Garden shop' })).status, 303);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const again = await ui.post('/ui/projects', { name: ' garden SHOP ' });
    assert.equal(again.status, 409);
    assert.match(again.html, /id="f-name-error"[^>]*>name: project \d+ is already called &quot;Garden shop&quot;/);
    assert.match(again.html, /id="f-name"[^>]*aria-invalid="true" aria-describedby="f-name-hint f-name-error"/, 'the field points at its error');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before);
  });
});
