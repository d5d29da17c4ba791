/**
 * The sync editor (`/ui/syncs/new`, `/ui/syncs/:id/edit`) through HTTP, as a browser without
 * JavaScript uses it (whole-form posts) and as htmx does (the fragment routes): what the form
 * saves is what the admin API shows, a bad value is a 400 shown at its field with nothing saved,
 * an empty key keeps the stored one, Test connection, deleting, and no page ever holds a key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import { ADMIN_TOKEN, postJson, startTestService, type TestService } from './helpers/service.js';
import { textOf } from './helpers/ui-session.js';

const SITE = 'ui-editor-site';
const KEY = 'ui-editor-right-key-0001';
const WRONG_KEY = 'ui-editor-wrong-key-0002';

let sim: CustomerIoSimulator;
let service: TestService;

before(async () => {
  sim = await startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [{ siteId: SITE, apiKey: KEY, region: 'us' }] });
  service = await startTestService({ env: { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_WAIT_MS: '5' } });
});

after(async () => {
  await service?.dispose();
  await sim?.close();
});

interface Page {
  status: number;
  text: string;
  location: string | null;
}

type Fields = [string, string][];

/** Every page and fragment the tests received, to check that none holds a key. */
const received: string[] = [];

/** A signed-in browser: keeps cookies, and the CSRF token of the last page it loaded. */
class Browser {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  async request(method: string, path: string, body?: Fields, headers: Record<string, string> = {}): Promise<Page> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: new URLSearchParams(body).toString() }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] as string;
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const text = await response.text();
    received.push(text);
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token !== undefined) this.csrf = token;
    return { status: response.status, text, location: response.headers.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** A whole-form post, as a browser without JavaScript makes it. */
  post(path: string, fields: Fields): Promise<Page> {
    return this.request('POST', path, withCsrf(fields, this.csrf));
  }

  /** A post as htmx makes it: the CSRF token in a header, the fragment in the reply. */
  htmx(path: string, fields: Fields): Promise<Page> {
    return this.request('POST', path, fields, { 'hx-request': 'true', 'x-csrf-token': this.csrf });
  }

  async signIn(): Promise<void> {
    await this.get('/ui/sign-in');
    const signedIn = await this.post('/ui/sign-in', [['token', ADMIN_TOKEN], ['next', '/ui/syncs']]);
    assert.equal(signedIn.status, 303);
  }
}

function withCsrf(fields: Fields, csrf: string): Fields {
  return fields.some(([name]) => name === '_csrf') ? fields.map(([name, value]): [string, string] => [name, name === '_csrf' ? csrf : value]) : [...fields, ['_csrf', csrf]];
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s/>])`).exec(tag);
  return match === null ? undefined : decode(match[1] ?? '');
}

/** The editor form's block of a page. */
function editorForm(html: string): string {
  const form = /<form method="post" action="\/ui\/syncs\/(?:new|[0-9]+\/edit)" class="stack sync-editor">[\s\S]*?<\/form>/.exec(html)?.[0];
  assert.ok(form !== undefined, 'the page has the editor form');
  return form;
}

/** What a browser posts for the editor form as rendered (no button: the test adds `action`). */
function formFields(html: string): Fields {
  const form = editorForm(html);
  const fields: Fields = [];
  for (const match of form.matchAll(/<(input|textarea|select)\b[^>]*>(?:([\s\S]*?)<\/\1>)?/g)) {
    const [tag, kind, content] = match as unknown as [string, string, string | undefined];
    const name = attribute(tag, 'name');
    if (name === undefined) continue;
    if (kind === 'input') {
      const type = attribute(tag, 'type') ?? 'text';
      if (type === 'checkbox') {
        if (attribute(tag, 'checked') !== undefined) fields.push([name, attribute(tag, 'value') ?? 'on']);
      } else {
        fields.push([name, attribute(tag, 'value') ?? '']);
      }
    } else if (kind === 'textarea') {
      fields.push([name, decode((content ?? '').replace(/^\n/, ''))]);
    } else {
      const options = [...(content ?? '').matchAll(/<option\b[^>]*>/g)].map((option) => option[0]);
      const chosen = options.find((option) => attribute(option, 'selected') !== undefined) ?? options[0];
      fields.push([name, chosen === undefined ? '' : (attribute(chosen, 'value') ?? '')]);
    }
  }
  return fields;
}

/** What a browser posts for the delete confirmation as rendered: its hidden fields. */
function deleteFields(html: string): Fields {
  const form = /<form method="post" action="\/ui\/syncs\/[0-9]+\/delete"[\s\S]*?<\/form>/.exec(html)?.[0];
  assert.ok(form !== undefined, 'the page has the delete form');
  return [...form.matchAll(/<input\b[^>]*>/g)].map((match): [string, string] => [attribute(match[0], 'name') ?? '', attribute(match[0], 'value') ?? '']);
}

/** The fields with some values replaced (or added when the form has no such field). */
function edit(fields: Fields, changes: Record<string, string | null>): Fields {
  const result = fields.filter(([name]) => !(name in changes));
  for (const [name, value] of Object.entries(changes)) if (value !== null) result.push([name, value]);
  return result;
}

/** What a page must be everywhere: labelled controls, no inline script or style (the CSP forbids them). */
function assertWellFormed(html: string): void {
  for (const match of html.matchAll(/<(input|textarea|select)\b[^>]*>/g)) {
    const tag = match[0];
    if (attribute(tag, 'type') === 'hidden') continue;
    const id = attribute(tag, 'id');
    const labelled = attribute(tag, 'aria-label') !== undefined || (id !== undefined && html.includes(`<label for="${id}"`)) || (id !== undefined && html.includes(` for="${id}"`));
    assert.ok(labelled, `a label for ${tag}`);
  }
  assert.doesNotMatch(html, /\sstyle=/, 'no inline styles');
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline scripts');
  assert.doesNotMatch(html, /\shx-on/, 'no hx-on handlers');
}

function errorAt(html: string, fieldId: string): string | undefined {
  const match = new RegExp(`<p class="field-error" id="${fieldId}-error"[^>]*>([^<]*)</p>`).exec(html);
  return match === null ? undefined : decode(match[1] as string);
}

async function syncsInApi(): Promise<any[]> {
  const reply = await service.admin('GET', '/api/syncs');
  assert.equal(reply.status, 200);
  return reply.body.syncs ?? reply.body;
}

/** The config part of GET /api/syncs/:id. */
async function configInApi(id: number): Promise<any> {
  const reply = await service.admin('GET', `/api/syncs/${id}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const { id: _id, status: _status, deliveries: _d, oldest_pending_at: _o, dead_letters: _dl, created_at: _c, updated_at: _u, revision: _r, ...config } = reply.body;
  return config;
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const browser = new Browser();

describe('sync editor', () => {
  before(async () => {
    await browser.signIn();
  });

  it('creates a sync through the form, rows and conditions added with the buttons; the API shows what was entered', async () => {
    const blank = await browser.get('/ui/syncs/new?project=1');
    assert.equal(blank.status, 200);
    assertWellFormed(blank.text);
    let fields = edit(formFields(blank.text), { name: 'From the editor', 'customerio[site_id]': SITE, 'customerio[api_key]': KEY });

    // without JavaScript: the row buttons post the whole form, which comes back changed and unsaved
    const withRow = await browser.post('/ui/syncs/new', [...fields, ['action', 'add-row']]);
    assert.equal(withRow.status, 200);
    assert.match(withRow.text, /<legend>Row B<\/legend>/);
    assert.match(withRow.text, /id="f-send_events-events-1-event_type"[^>]*autofocus/, 'the new row gets the focus');
    assert.match(withRow.text, /enter it again/, 'the typed key is not shown again, and the hint says so');
    assert.deepEqual((await syncsInApi()).length, 0, 'nothing saved');
    fields = edit(formFields(withRow.text), { 'send_events[events][1][event_type]': 'Order Completed' });
    assert.ok(fields.some(([name, value]) => name === 'name' && value === 'From the editor'), 'what was typed is kept');

    // with htmx: only the rows come back, from the form's current values
    const fragment = await browser.htmx('/ui/syncs/editor/rows', [...fields, ['action', 'add-clause:1']]);
    assert.equal(fragment.status, 200);
    assert.match(fragment.text, /^<fieldset class="events-editor" id="f-send_events-events">/);
    assert.match(fragment.text, /id="f-send_events-events-1-where-0-scope"[^>]*autofocus/);
    assert.match(fragment.text, /value="Order Completed"/);
    assertWellFormed(fragment.text);

    const withClause = await browser.post('/ui/syncs/new', [...fields, ['action', 'add-clause:1']]);
    fields = edit(formFields(withClause.text), {
      'send_events[events][1][where][0][scope]': 'event',
      'send_events[events][1][where][0][property]': 'total',
      'send_events[events][1][where][0][op]': 'greater or equal',
      'send_events[events][1][where][0][values]': '100',
    });
    const withSecond = await browser.post('/ui/syncs/new', [...fields, ['action', 'add-clause:1']]);
    fields = edit(formFields(withSecond.text), {
      'send_events[events][1][where][1][scope]': 'user',
      'send_events[events][1][where][1][property]': 'plan',
      'send_events[events][1][where][1][op]': 'is',
      'send_events[events][1][where][1][values]': 'pro, "team, large"\n(none)',
      'send_events[events][0][event_type]': 'Signed Up',
      'identifier[choice]': 'other',
      'identifier[name]': 'email',
      'send_events[properties][event][all]': null,
      'send_events[properties][event][list]': 'total\nsku',
      'send_events[properties][user][add]': 'plan',
      'send_events[anonymous]': 'on',
      'send_users[properties][all]': null,
      'send_users[properties][list]': 'email',
      'options[stringify_values]': 'on',
      'options[convert_dates]': null,
      'customerio[api_key]': KEY,
    });
    const saved = await browser.post('/ui/syncs/new', [...fields, ['action', 'save']]);
    assert.equal(saved.status, 303, saved.text);
    const id = Number(/^\/ui\/syncs\/([0-9]+)$/.exec(saved.location ?? '')?.[1]);
    assert.ok(id > 0, `redirected to the sync's page: ${saved.location}`);

    assert.deepEqual(await configInApi(id), {
      name: 'From the editor',
      project_id: 1,
      enabled: true,
      customerio: { site_id: SITE, region: 'us', api_key_set: true },
      identifier: { from: 'user_property', name: 'email' },
      send_events: {
        enabled: true,
        events: [
          { event_type: 'Signed Up', where: [] },
          {
            event_type: 'Order Completed',
            where: [
              { scope: 'event', property: 'total', op: 'greater or equal', values: [100] },
              { scope: 'user', property: 'plan', op: 'is', values: ['pro', 'team, large', '(none)'] },
            ],
          },
        ],
        properties: { event: ['total', 'sku'], user: ['plan'] },
        anonymous: true,
      },
      send_users: { enabled: true, properties: ['email'] },
      options: { convert_dates: false, stringify_values: true },
    });

    // the edit page shows it back; posting it unchanged changes nothing
    const before = await configInApi(id);
    const editPage = await browser.get(`/ui/syncs/${id}/edit`);
    assert.equal(editPage.status, 200);
    assertWellFormed(editPage.text);
    assert.match(editPage.text, /A key is stored; it is never shown/);
    const unchanged = await browser.post(`/ui/syncs/${id}/edit`, [...formFields(editPage.text), ['action', 'save']]);
    assert.equal(unchanged.status, 303, unchanged.text);
    assert.deepEqual(await configInApi(id), before);
  });

  it('a bad value answers 400 with the error at its field, what was typed kept, nothing saved', async () => {
    const count = (await syncsInApi()).length;
    const page = await browser.get('/ui/syncs/new?project=1');
    const base = edit(formFields(page.text), { name: 'Bad one', 'customerio[site_id]': '', 'customerio[api_key]': KEY });

    const noSite = await browser.post('/ui/syncs/new', [...base, ['action', 'save']]);
    assert.equal(noSite.status, 400);
    assert.equal(errorAt(noSite.text, 'f-customerio-site_id'), 'required');
    assert.match(noSite.text, /Nothing was saved\. <a href="#f-customerio-site_id">Site ID<\/a>/);
    assert.match(noSite.text, /id="f-name"[^>]*value="Bad one"/);
    assert.match(noSite.text, /id="f-customerio-site_id"[^>]*aria-invalid="true"/);
    assertWellFormed(noSite.text);

    const withClause = await browser.post('/ui/syncs/new', [...edit(base, { 'customerio[site_id]': SITE }), ['action', 'add-clause:0']]);
    const noValues = await browser.post('/ui/syncs/new', [
      ...edit(formFields(withClause.text), { 'send_events[events][0][where][0][property]': 'plan', 'customerio[api_key]': KEY }),
      ['action', 'save'],
    ]);
    assert.equal(noValues.status, 400);
    assert.equal(errorAt(noValues.text, 'f-send_events-events-0-where-0-values'), 'give at least one');
    assert.match(noValues.text, /<a href="#f-send_events-events-0-where-0-values">Row A, condition 1: values<\/a>/);

    const notANumber = await browser.post('/ui/syncs/new', [
      ...edit(formFields(withClause.text), {
        'send_events[events][0][where][0][property]': 'total',
        'send_events[events][0][where][0][op]': 'less',
        'send_events[events][0][where][0][values]': 'cheap',
        'customerio[api_key]': KEY,
      }),
      ['action', 'save'],
    ]);
    assert.equal(notANumber.status, 400);
    assert.equal(errorAt(notANumber.text, 'f-send_events-events-0-where-0-values'), '"less" compares with exactly one number');
    assert.match(notANumber.text, />cheap<\/textarea>/, 'the typed values are shown again');

    const taken = await browser.post('/ui/syncs/new', [...edit(base, { name: 'From the editor', 'customerio[site_id]': SITE }), ['action', 'save']]);
    assert.equal(taken.status, 409);
    assert.match(errorAt(taken.text, 'f-name') ?? '', /already called "From the editor"/);
    const otherCase = await browser.post('/ui/syncs/new', [...edit(base, { name: ' from THE editor ', 'customerio[site_id]': SITE }), ['action', 'save']]);
    assert.equal(otherCase.status, 409, 'names are compared without case and surrounding spaces');

    const invisible = await browser.post('/ui/syncs/new', [...edit(base, { name: 'From\u200bthe editor', 'customerio[site_id]': SITE }), ['action', 'save']]);
    assert.equal(invisible.status, 400);
    assert.equal(errorAt(invisible.text, 'f-name'), 'must not contain invisible or format characters (found U+200B)');
    const onlyFiller = await browser.post('/ui/syncs/new', [...edit(base, { name: ' \u3164 ', 'customerio[site_id]': SITE }), ['action', 'save']]);
    assert.equal(errorAt(onlyFiller.text, 'f-name'), 'must not be empty (spaces and invisible characters alone are no name)');
    const selectorOnly = await browser.post('/ui/syncs/new', [...edit(base, { name: '\ufe0f', 'customerio[site_id]': SITE }), ['action', 'save']]);
    assert.equal(selectorOnly.status, 400, 'a variation selector alone is a blank name');
    assert.equal(errorAt(selectorOnly.text, 'f-name'), 'must not be empty (spaces and invisible characters alone are no name)');
    assert.doesNotMatch(page.text, /id="f-name"[^>]*maxlength/, 'no maxlength: the browser counts UTF-16 units and would cut 200 emoji in half; the server counts characters');

    assert.equal((await syncsInApi()).length, count, 'nothing was saved');
  });

  it('a failed edit saves nothing of it; an edit with the key left empty keeps the key, and delivery still authenticates', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Delivering', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    const original = await configInApi(id);

    const page = await browser.get(`/ui/syncs/${id}/edit`);
    assert.doesNotMatch(page.text, /enter it again/);
    const fields = formFields(page.text);
    const half = await browser.post(`/ui/syncs/${id}/edit`, [...edit(fields, { name: 'Renamed', 'send_events[events][0][event_type]': '$identify' }), ['action', 'save']]);
    assert.equal(half.status, 400);
    assert.match(errorAt(half.text, 'f-send_events-events-0-event_type') ?? '', /user updates/);
    assert.deepEqual(await configInApi(id), original, 'the new name was not saved either');

    const newSite = await browser.post(`/ui/syncs/${id}/edit`, [...edit(fields, { 'customerio[site_id]': 'another-site' }), ['action', 'save']]);
    assert.equal(newSite.status, 400);
    assert.equal(errorAt(newSite.text, 'f-customerio-api_key'), 'required when the Site ID changes (a Track API key belongs to one site)');
    const noSite = await browser.post(`/ui/syncs/${id}/edit`, [...edit(fields, { 'customerio[site_id]': ' ' }), ['action', 'save']]);
    assert.equal(noSite.status, 400);
    assert.equal(errorAt(noSite.text, 'f-customerio-site_id'), 'required');

    const renamed = await browser.post(`/ui/syncs/${id}/edit`, [...edit(fields, { name: 'Renamed', 'customerio[api_key]': '' }), ['action', 'save']]);
    assert.equal(renamed.status, 303, renamed.text);
    assert.deepEqual(await configInApi(id), { ...original, name: 'Renamed' });

    const sent = await postJson(`${service.url}/2/httpapi`, { api_key: service.apiKey, events: [{ event_type: 'Editor Check', user_id: 'editor-user-1', insert_id: 'editor-1' }] });
    assert.equal(sent.status, 200, sent.text);
    await waitUntil('the event is delivered', async () => (await service.admin('GET', `/api/syncs/${id}`)).body.deliveries.delivered > 0);
    const reply = await service.admin('GET', `/api/syncs/${id}`);
    assert.equal(reply.body.status.state, 'active');
    assert.equal(reply.body.deliveries.dead, 0);
    const person = sim.person({ id: 'editor-user-1' }, SITE);
    assert.ok(person?.events.some((event) => event.name === 'Editor Check'), 'Customer.io got the event with the kept key');
  });

  it('Test connection checks the form’s values, the stored key when the field is empty, and says what is wrong', async () => {
    const fields = formFields((await browser.get('/ui/syncs/new?project=1')).text);
    const wrong = await browser.htmx('/ui/syncs/new/test-connection', edit(fields, { 'customerio[site_id]': SITE, 'customerio[api_key]': WRONG_KEY }));
    assert.equal(wrong.status, 200);
    assert.match(wrong.text, /notice-error/);
    assert.match(wrong.text, /Customer\.io refused this Site ID and API key/);

    const right = await browser.htmx('/ui/syncs/new/test-connection', edit(fields, { 'customerio[site_id]': SITE, 'customerio[api_key]': KEY }));
    assert.match(right.text, /Customer\.io accepted these credentials \(US region\)/);

    const wrongRegion = await browser.htmx('/ui/syncs/new/test-connection', edit(fields, { 'customerio[site_id]': SITE, 'customerio[api_key]': KEY, 'customerio[region]': 'eu' }));
    assert.match(wrongRegion.text, /Wrong region/);

    const noKey = await browser.htmx('/ui/syncs/new/test-connection', edit(fields, { 'customerio[site_id]': SITE }));
    assert.match(noKey.text, /enter the API key first/);

    // without JavaScript: the whole page comes back with the answer
    const page = await browser.post('/ui/syncs/new', [...edit(fields, { 'customerio[site_id]': SITE, 'customerio[api_key]': WRONG_KEY }), ['action', 'test-connection']]);
    assert.equal(page.status, 200);
    assert.match(page.text, /<div id="test-result" class="test-result"><div class="notice notice-error"/);

    const created = await service.admin('POST', '/api/syncs', { name: 'Tested', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const editFields = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    const stored = await browser.htmx(`/ui/syncs/${id}/test-connection`, editFields);
    assert.match(stored.text, /accepted these credentials/, 'an empty key field tests the stored key');
    const replaced = await browser.htmx(`/ui/syncs/${id}/test-connection`, edit(editFields, { 'customerio[api_key]': WRONG_KEY }));
    assert.match(replaced.text, /refused/);
    const otherSite = await browser.htmx(`/ui/syncs/${id}/test-connection`, edit(editFields, { 'customerio[site_id]': 'another-site' }));
    assert.match(otherSite.text, /not the stored Site ID/);
  });

  it('the property picker, the project picker’s catalog and unknown syncs', async () => {
    const fields = formFields((await browser.get('/ui/syncs/new?project=1')).text);
    const added = await browser.htmx('/ui/syncs/editor/rows', [...edit(fields, { 'send_users[properties][add]': 'plan' }), ['action', 'add-property:send_users.properties']]);
    assert.match(added.text, /^<fieldset class="selection" id="f-send_users-properties-group">/);
    assert.match(added.text, />plan<\/textarea>/);
    assert.match(added.text, /id="f-send_users-properties-add"[^>]*autofocus/);

    const catalog = await browser.get('/ui/syncs/editor/catalog?project_id=1&identifier%5Bchoice%5D=user_id');
    assert.equal(catalog.status, 200);
    assert.match(catalog.text, /^<div id="editor-catalog"><datalist id="list-event-types">/);
    assert.match(catalog.text, /<select id="f-identifier-choice"[^>]*hx-swap-oob="true"/);

    assert.equal((await browser.get('/ui/syncs/999/edit')).status, 404);
    assert.equal((await browser.get('/ui/syncs/abc/edit')).status, 404);
  });

  it('two edits from the same opened revision: the second saves nothing and says so, keeps what was typed, and Save again overwrites', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Two tabs', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const tabA = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    const tabB = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    assert.deepEqual(
      tabA.filter(([name]) => name === 'revision'),
      [['revision', '1']],
      'the form carries the revision it was opened at',
    );

    const savedA = await browser.post(`/ui/syncs/${id}/edit`, [...edit(tabA, { name: 'Two tabs (A)' }), ['action', 'save']]);
    assert.equal(savedA.status, 303, savedA.text);
    const afterA = await configInApi(id);

    // tab B renames and switches the Status toggle off, from the revision it was opened at
    const savedB = await browser.post(`/ui/syncs/${id}/edit`, [...edit(tabB, { name: 'Two tabs (B)', enabled: null }), ['action', 'save']]);
    assert.equal(savedB.status, 409);
    assertWellFormed(savedB.text);
    assert.ok(
      textOf(savedB.text).includes(
        'This sync was changed since you opened it (by another tab or person). Your changes are not saved. Reload to see the current settings, or Save again to overwrite them.',
      ),
      textOf(savedB.text).slice(0, 600),
    );
    assert.match(savedB.text, new RegExp(`<a href="/ui/syncs/${id}/edit">Reload</a>`));
    assert.deepEqual(await configInApi(id), afterA, 'nothing of tab B was saved: not the name, not the Status toggle');
    assert.equal(afterA.name, 'Two tabs (A)');
    assert.equal(afterA.enabled, true);

    const again = formFields(savedB.text);
    assert.equal(again.find(([name]) => name === 'name')?.[1], 'Two tabs (B)', 'what tab B typed is still in the form');
    assert.equal(again.find(([name]) => name === 'enabled'), undefined, 'the Status toggle as tab B left it');
    assert.deepEqual(
      again.filter(([name]) => name === 'revision'),
      [['revision', '2']],
      'the form now carries the revision it was refused against',
    );
    const overwritten = await browser.post(`/ui/syncs/${id}/edit`, [...again, ['action', 'save']]);
    assert.equal(overwritten.status, 303, overwritten.text);
    const final = await configInApi(id);
    assert.equal(final.name, 'Two tabs (B)');
    assert.equal(final.enabled, false);
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).body.revision, 3);
  });

  it('a Save that changes nothing keeps the revision, so another tab open on the sync can still save', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Saved as is', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const tabA = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    const tabB = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    assert.equal((await browser.post(`/ui/syncs/${id}/edit`, [...tabA, ['action', 'save']])).status, 303);
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).body.revision, 1);
    const savedB = await browser.post(`/ui/syncs/${id}/edit`, [...edit(tabB, { name: 'Saved as is (B)' }), ['action', 'save']]);
    assert.equal(savedB.status, 303, 'no false conflict');
    assert.equal((await configInApi(id)).name, 'Saved as is (B)');
  });

  it('after a conflict, a new key typed is not kept, and the message at the top says to type it again before saving', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Key in conflict', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const opened = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    assert.equal((await service.admin('PATCH', `/api/syncs/${id}`, { send_events: { anonymous: true } })).status, 200);

    const refused = await browser.post(`/ui/syncs/${id}/edit`, [...edit(opened, { 'customerio[api_key]': WRONG_KEY }), ['action', 'save']]);
    assert.equal(refused.status, 409);
    assert.ok(!refused.text.includes(WRONG_KEY), 'the typed key is never shown again');
    const top = textOf(refused.text);
    assert.ok(
      top.includes(
        'This sync was changed since you opened it (by another tab or person). Your changes are not saved. The new API key you typed was not kept (a page never holds a key): type it again before saving, or saving keeps the stored key. Reload to see the current settings, or type the key again and Save again to overwrite them.',
      ),
      top.slice(0, 700),
    );
    assert.ok(!top.includes('or Save again to overwrite them.'), 'no promise that Save again saves everything typed');

    const again = await browser.post(`/ui/syncs/${id}/edit`, [...edit(formFields(refused.text), { 'customerio[api_key]': WRONG_KEY }), ['action', 'save']]);
    assert.equal(again.status, 303, again.text);
    const tested = await service.admin('POST', `/api/syncs/${id}/test`);
    assert.equal(tested.body.ok, false, 'the key typed again is the one saved');

    const noKey = await browser.post(`/ui/syncs/${id}/edit`, [...edit(opened, { name: 'Key in conflict (renamed)' }), ['action', 'save']]);
    assert.equal(noKey.status, 409);
    assert.ok(!textOf(noKey.text).includes('The new API key you typed'), 'no key typed: nothing said about it');
  });

  it('a row button or Test connection keeps the revision the form was opened at, so the later Save is still checked', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Rows then save', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const opened = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    assert.equal((await service.admin('PATCH', `/api/syncs/${id}`, { name: 'Renamed through the API' })).status, 200);

    const withRow = await browser.post(`/ui/syncs/${id}/edit`, [...opened, ['action', 'add-row']]);
    assert.equal(withRow.status, 200);
    assert.deepEqual(formFields(withRow.text).filter(([name]) => name === 'revision'), [['revision', '1']]);
    const tested = await browser.post(`/ui/syncs/${id}/edit`, [...formFields(withRow.text), ['action', 'test-connection']]);
    assert.deepEqual(formFields(tested.text).filter(([name]) => name === 'revision'), [['revision', '1']]);
    const saved = await browser.post(`/ui/syncs/${id}/edit`, [...edit(formFields(tested.text), { name: 'Rows then save' }), ['action', 'save']]);
    assert.equal(saved.status, 409);
    assert.equal((await configInApi(id)).name, 'Renamed through the API');
  });

  it('a missing or malformed revision is a 400 with the form kept and nothing saved, not a 500', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'No revision', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const opened = formFields((await browser.get(`/ui/syncs/${id}/edit`)).text);
    for (const revision of [null, '', 'two', '-1', '1.5', '99999999999999999999', '01', '0', '+1']) {
      const reply = await browser.post(`/ui/syncs/${id}/edit`, [...edit(opened, { name: 'Changed', revision }), ['action', 'save']]);
      assert.equal(reply.status, 400, `revision ${revision}`);
      assert.match(textOf(reply.text), /Nothing was saved\. The form did not say which version of the sync it was opened at/);
      assert.equal(formFields(reply.text).find(([name]) => name === 'name')?.[1], 'Changed');
    }
    assert.equal((await configInApi(id)).name, 'No revision');
  });

  it('deletes a sync after a confirmation step', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Doomed', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const confirm = await browser.get(`/ui/syncs/${id}/delete`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Delete Doomed\?/);
    assertWellFormed(confirm.text);

    const unconfirmed = await browser.post(`/ui/syncs/${id}/delete`, []);
    assert.equal(unconfirmed.status, 303);
    assert.equal(unconfirmed.location, `/ui/syncs/${id}/delete`);
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).status, 200, 'not deleted without the confirmation');

    const deleted = await browser.post(`/ui/syncs/${id}/delete`, deleteFields(confirm.text));
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/ui/syncs');
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).status, 404);
  });

  it('the delete confirmation carries the revision: a sync changed since the page was opened is not deleted, and the page says so', async () => {
    const created = await service.admin('POST', '/api/syncs', { name: 'Changed under me', project_id: 1, customerio: { site_id: SITE, api_key: KEY, region: 'us' } });
    const id = created.body.id as number;
    const confirm = deleteFields((await browser.get(`/ui/syncs/${id}/delete`)).text);
    assert.deepEqual(confirm.filter(([name]) => name === 'revision'), [['revision', '1']], 'the confirmation carries the revision it was opened at');
    assert.equal((await service.admin('PATCH', `/api/syncs/${id}`, { name: 'Changed under me (renamed)' })).status, 200);

    const refused = await browser.post(`/ui/syncs/${id}/delete`, confirm);
    assert.equal(refused.status, 409);
    assertWellFormed(refused.text);
    assert.ok(
      textOf(refused.text).includes('This sync was changed since you opened this page (by another tab or person), so it was not deleted.'),
      textOf(refused.text).slice(0, 600),
    );
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).status, 200, 'not deleted');
    assert.match(refused.text, /Delete Changed under me \(renamed\)\?/, 'the page shows the sync as it is now');
    const again = deleteFields(refused.text);
    assert.deepEqual(again.filter(([name]) => name === 'revision'), [['revision', '2']], 'and carries its revision now');

    const withoutRevision = await browser.post(`/ui/syncs/${id}/delete`, [['confirm', 'delete']]);
    assert.equal(withoutRevision.status, 400);
    assert.match(textOf(withoutRevision.text), /Nothing was deleted\. The page did not say which version of the sync it was opened at/);
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).status, 200, 'not deleted without a revision');

    const deleted = await browser.post(`/ui/syncs/${id}/delete`, again);
    assert.equal(deleted.status, 303, deleted.text);
    assert.equal((await service.admin('GET', `/api/syncs/${id}`)).status, 404);
  });

  it('needs a session and the CSRF token', async () => {
    const anonymous = await fetch(`${service.url}/ui/syncs/new`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    const forged = await browser.request('POST', '/ui/syncs/new', [['name', 'x'], ['action', 'save']]);
    assert.equal(forged.status, 403);
  });

  it('no page or fragment ever held a Customer.io key', () => {
    assert.ok(received.length > 20);
    for (const text of received) {
      assert.ok(!text.includes(KEY), 'the right key is never shown');
      assert.ok(!text.includes(WRONG_KEY), 'a typed key is never shown again');
    }
  });
});
