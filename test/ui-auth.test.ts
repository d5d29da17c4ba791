/**
 * The web UI's front door: only the sign-in page (and its files) answer without a session; the
 * admin token signs a person in; the session cookie is HttpOnly and SameSite=Strict; every form
 * post needs the CSRF token; signing out ends the session. Also: the UI's security headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, startTestService, type TestService } from './helpers/service.js';
import { textOf, UiSession } from './helpers/ui-session.js';

describe('web UI sign-in, sessions and CSRF', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(async () => {
    await service.dispose();
  });

  it('sends a person without a session to the sign-in page, and back where they were going after signing in', async () => {
    const ui = new UiSession(service.url);
    const root = await ui.get('/');
    assert.equal(root.status, 303);
    assert.equal(root.headers.get('location'), '/ui/');
    for (const path of ['/ui/', '/ui/projects', '/ui/syncs', '/ui/syncs/1', '/ui/no-such-page']) {
      const page = await ui.get(path);
      assert.equal(page.status, 303, path);
      assert.equal(page.headers.get('location'), `/ui/sign-in?next=${encodeURIComponent(path)}`, path);
    }
    const landed = await ui.signIn(ADMIN_TOKEN, '/ui/syncs');
    assert.equal(landed.status, 200);
    assert.match(textOf(landed.html), /Syncs/);
  });

  it('after a restart signed everyone out, a form post leads back to the page it came from', async () => {
    const ui = new UiSession(service.url);
    const reply = await ui.request('POST', '/ui/syncs/new', { form: { name: 'x' }, headers: { referer: `${service.url}/ui/syncs/new?project=1` } });
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.get('location'), `/ui/sign-in?next=${encodeURIComponent('/ui/syncs/new?project=1')}`);
    const elsewhere = await ui.request('POST', '/ui/syncs/new', { form: { name: 'x' }, headers: { referer: 'https://evil.example/ui/syncs' } });
    assert.equal(elsewhere.headers.get('location'), `/ui/sign-in?next=${encodeURIComponent('/ui/projects')}`);
  });

  it('refuses a wrong token with a message on the sign-in page, and sets no session', async () => {
    const ui = new UiSession(service.url);
    await ui.get('/ui/sign-in');
    const reply = await ui.post('/ui/sign-in', { token: 'not-the-token' });
    assert.equal(reply.status, 401);
    assert.match(textOf(reply.html), /That is not the admin token/);
    assert.ok(!reply.html.includes('not-the-token'), 'the page does not echo what was typed');
    assert.equal(ui.hasCookie('ampstream_session'), false);
    assert.equal((await ui.get('/ui/projects')).status, 303);
  });

  it('never redirects to another site after signing in', async () => {
    const outside = [
      'https://evil.example/', '//evil.example/ui/', '/ui//evil.example', '/api/projects',
      // a browser normalizes these to a path outside /ui/ (or they are meant to look like one)
      '/ui/../api/projects', '/ui/./../api/projects', '/ui/syncs/../../api/projects', '/ui/syncs/..', '/ui/.',
      '/ui/%2e%2e/api/projects', '/ui/%2E%2E/api/projects', '/ui/.%2e/api/projects', '/ui/..%2fapi/projects', '/ui/%2f%2fevil.example',
      '/ui/..\\api/projects', '/ui\\..\\api', '/ui/\\evil.example', '/ui/%5c..%5capi', '/ui/syncs//x', '/ui/syncs\t/x', '/ui/syncs\n',
      '/ui', '/uix/', ' /ui/syncs', '/ui/syncs#x',
    ];
    for (const next of outside) {
      const ui = new UiSession(service.url);
      await ui.get('/ui/sign-in');
      const reply = await ui.post('/ui/sign-in', { token: ADMIN_TOKEN, next });
      assert.equal(reply.status, 303);
      assert.equal(reply.headers.get('location'), '/ui/projects', next);
      const form = await ui.get(`/ui/sign-in?next=${encodeURIComponent(next)}`);
      assert.match(form.html, /name="next" value="\/ui\/projects"/, `the sign-in form does not carry ${next}`);
    }
    for (const next of ['/ui/', '/ui/syncs', '/ui/syncs/12/edit', '/ui/syncs?project=1', '/ui/syncs/12/trace?insert_id=evt%20one&user_id=a.b', '/ui/syncs/12?period=ONE_DAY']) {
      const ui = new UiSession(service.url);
      await ui.get('/ui/sign-in');
      const reply = await ui.post('/ui/sign-in', { token: ADMIN_TOKEN, next });
      assert.equal(reply.headers.get('location'), next, 'a page of the UI is where signing in leads');
    }
  });

  it('keeps the session in an HttpOnly, SameSite=Strict cookie (not Secure over plain HTTP)', async () => {
    const ui = new UiSession(service.url);
    await ui.get('/ui/sign-in');
    const reply = await ui.request('POST', '/ui/sign-in', {
      form: { _csrf: ui.token, token: ADMIN_TOKEN },
    });
    const cookie = reply.headers.getSetCookie().find((line) => line.startsWith('ampstream_session='));
    assert.ok(cookie !== undefined);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    const csrfCookie = (await ui.get('/ui/sign-in')).headers.getSetCookie().join('\n');
    if (csrfCookie !== '') assert.match(csrfCookie, /HttpOnly/);
  });

  it('refuses a form post without the CSRF token, or with another session\'s, and changes nothing', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const missing = await ui.request('POST', '/ui/projects', { form: { name: 'forged' } });
    assert.equal(missing.status, 403);
    assert.match(textOf(missing.html), /form has expired or did not come from this site/);
    const other = new UiSession(service.url);
    await other.signIn(ADMIN_TOKEN);
    const foreign = await ui.request('POST', '/ui/projects', { form: { name: 'forged', _csrf: other.token } });
    assert.equal(foreign.status, 403);
    const signInWithout = await new UiSession(service.url).request('POST', '/ui/sign-in', { form: { token: ADMIN_TOKEN } });
    assert.equal(signInWithout.status, 403, 'even the sign-in form needs its token (no login CSRF)');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before);
  });

  it('refuses a token and CSRF cookie tossed in by a page on another port of the same host', async () => {
    const victim = new UiSession(service.url);
    await victim.signIn(ADMIN_TOKEN);
    // the attacker's server fetches a valid pair for itself...
    const attacker = new UiSession(service.url);
    await attacker.get('/ui/sign-in');
    const cookies = (session: UiSession) => (session as unknown as { cookies: Map<string, string> }).cookies;
    // ...and its page (same site, other port) overwrites the victim's CSRF cookie with it
    cookies(victim).set('ampstream_csrf', cookies(attacker).get('ampstream_csrf') as string);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const tossed = await victim.request('POST', '/ui/projects', { form: { name: 'PWNED', _csrf: attacker.token } });
    assert.equal(tossed.status, 403, 'a token made for another session (or none) is refused');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before);
  });

  it('refuses form posts a browser says come from another origin, even with a valid token', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const crossOrigin: Record<string, string>[] = [{ origin: 'http://127.0.0.1:1' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of crossOrigin) {
      const reply = await ui.post('/ui/projects', { name: 'cross-origin' }, headers);
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assert.match(textOf(reply.html), /did not come from this site/);
    }
    const sameOrigin = await ui.post('/ui/projects', { name: 'same origin' }, { origin: service.url, 'sec-fetch-site': 'same-origin' });
    assert.equal(sameOrigin.status, 303, 'the same origin is fine');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before + 1);
  });

  it('refuses Origin: null and a cross-site Referer without Origin; with neither header, the CSRF token decides', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const before = (await service.admin('GET', '/api/projects')).body.projects.length;
    const refused: Record<string, string>[] = [
      { origin: 'null' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
      { origin: 'null', referer: `${service.url}/ui/projects` },
      { referer: 'https://evil.example/ui/projects' },
      { referer: `${service.url.replace('127.0.0.1', 'localhost')}/ui/projects` },
      { referer: 'not a url' },
      { origin: 'https://evil.example', referer: `${service.url}/ui/projects` },
    ];
    for (const headers of refused) {
      const reply = await ui.post('/ui/projects', { name: 'refused' }, headers);
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assert.match(textOf(reply.html), /did not come from this site/);
    }
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before, 'nothing was created');
    const accepted: Record<string, string>[] = [
      { referer: `${service.url}/ui/projects` },
      { origin: service.url },
      { origin: service.url, referer: `${service.url}/ui/projects` },
      {},
    ];
    for (const headers of accepted) {
      const reply = await ui.post('/ui/projects', { name: `accepted ${Object.keys(headers).join('+') || 'none'}` }, headers);
      assert.equal(reply.status, 303, JSON.stringify(headers));
    }
    const noToken = await ui.request('POST', '/ui/projects', { form: { name: 'no token' }, headers: { referer: `${service.url}/ui/projects` } });
    assert.equal(noToken.status, 403, 'our own Referer does not replace the CSRF token');
    assert.equal((await service.admin('GET', '/api/projects')).body.projects.length, before + accepted.length);
  });

  it('signs out: the old cookie no longer opens a page', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const stolen = new UiSession(service.url);
    const sessionCookie = (ui as unknown as { cookies: Map<string, string> }).cookies.get('ampstream_session') as string;
    (stolen as unknown as { cookies: Map<string, string> }).cookies.set('ampstream_session', sessionCookie);
    assert.equal((await stolen.get('/ui/projects')).status, 200);
    const out = await ui.post('/ui/sign-out');
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/ui/sign-in');
    assert.equal((await ui.get('/ui/projects')).status, 303);
    assert.equal((await stolen.get('/ui/projects')).status, 303, 'the session is over on the server, not only in the browser');
  });

  it('answers only with the bearer token on the admin API and /metrics, not with a UI session', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    assert.equal((await ui.get('/api/projects')).status, 401);
    assert.equal((await ui.get('/metrics')).status, 401);
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  });

  it('serves its pages with a strict content security policy and no framing, and htmx from this server', async () => {
    const ui = new UiSession(service.url);
    const page = await ui.signIn(ADMIN_TOKEN);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.doesNotMatch(page.html, /<script>|<script [^>]*src="http/, 'no inline scripts, no scripts from elsewhere');
    assert.doesNotMatch(page.html, / style="/, 'no inline styles');
    const htmx = await fetch(`${service.url}/ui/assets/htmx.min.js`);
    assert.equal(htmx.status, 200);
    assert.match(await htmx.text(), /htmx/);
    assert.equal((await fetch(`${service.url}/ui/assets/ui.css`)).status, 200);
  });

  it('ignores X-Forwarded-Proto unless told to trust a proxy', async () => {
    const ui = new UiSession(service.url);
    await ui.get('/ui/sign-in');
    const reply = await ui.request('POST', '/ui/sign-in', { form: { _csrf: ui.token, token: ADMIN_TOKEN }, headers: { 'x-forwarded-proto': 'https' } });
    assert.doesNotMatch(reply.headers.getSetCookie().join('\n'), /Secure/);
  });

  it('behind a TLS-terminating proxy (--trust-proxy on): Secure cookies and the public ingest URL', async () => {
    const proxied = await startTestService({ env: { AMPSTREAM_TRUST_PROXY: 'on' } });
    try {
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'events.example.com' };
      const ui = new UiSession(proxied.url);
      await ui.request('GET', '/ui/sign-in', { headers: forwarded });
      const signedIn = await ui.request('POST', '/ui/sign-in', { form: { _csrf: ui.token, token: ADMIN_TOKEN }, headers: forwarded });
      const cookies = signedIn.headers.getSetCookie();
      assert.match(cookies.find((line) => line.startsWith('ampstream_session=')) ?? '', /; Secure/);
      const page = await ui.request('GET', '/ui/projects', { headers: forwarded });
      assert.match(page.html, /https:\/\/events\.example\.com\/2\/httpapi/);
    } finally {
      await proxied.dispose();
    }
  });

  it('takes a pasted token with spaces around it, and holds off an address that guesses', async () => {
    const own = await startTestService(); // its own server: the hold is per address, and tests share 127.0.0.1
    try {
      const ui = new UiSession(own.url);
      await ui.get('/ui/sign-in');
      for (let i = 0; i < 10; i++) assert.equal((await ui.post('/ui/sign-in', { token: `guess-${i}` })).status, 401);
      const held = await ui.post('/ui/sign-in', { token: ADMIN_TOKEN });
      assert.equal(held.status, 429, 'even the right token waits once an address has guessed too often');
      assert.match(textOf(held.html), /Too many wrong tokens from this address: try again in \d+ s/);
      assert.ok(Number(held.headers.get('retry-after')) > 0);
      assert.equal(ui.hasCookie('ampstream_session'), false);
    } finally {
      await own.dispose();
    }
    const ui = new UiSession(service.url);
    await ui.get('/ui/sign-in');
    assert.equal((await ui.post('/ui/sign-in', { token: ` ${ADMIN_TOKEN}\n` })).status, 303);
  });

  it('answers every page and fragment of a session with Cache-Control: no-store (Back after Sign out shows nothing), and keeps caching its files', async () => {
    const sync = await service.admin('POST', '/api/syncs', {
      name: 'no-store',
      project_id: 1,
      customerio: { site_id: 'site-no-store', api_key: 'key-no-store', region: 'us' },
    });
    assert.equal(sync.status, 201, JSON.stringify(sync.body));
    const id = sync.body.id as number;
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const htmx = (target: string) => ({ 'hx-request': 'true', 'hx-target': target });
    const requests: [string, Record<string, string>?][] = [
      ['/ui/'],
      ['/ui/projects'],
      ['/ui/syncs'],
      ['/ui/syncs?project=1'],
      ['/ui/syncs/new'],
      [`/ui/syncs/${id}`],
      [`/ui/syncs/${id}?period=day`, htmx('delivery-metrics')],
      [`/ui/syncs/${id}/edit`],
      [`/ui/syncs/${id}/delete`],
      [`/ui/syncs/${id}/trace?user_id=nobody`],
      [`/ui/syncs/${id}/trace?user_id=nobody`, htmx('trace-results')],
      ['/ui/syncs/editor/catalog?project_id=1', htmx('catalog')],
      ['/ui/simulator'],
      ['/ui/syncs/999999'],
      ['/ui/no-such-page'],
    ];
    for (const [path, headers] of requests) {
      const reply = await ui.request('GET', path, headers === undefined ? {} : { headers });
      assert.ok(reply.status < 500, `${path}: ${reply.status}`);
      assert.equal(reply.headers.get('cache-control'), 'no-store', path);
    }
    const posted = await ui.post(`/ui/syncs/${id}/edit`, { action: 'add-row' });
    assert.equal(posted.headers.get('cache-control'), 'no-store', 'a page answering a form post');
    const signedOut = await new UiSession(service.url).get('/ui/syncs');
    assert.equal(signedOut.headers.get('cache-control'), 'no-store', 'the redirect to sign in');
    for (const asset of ['ui.css', 'ui.js', 'htmx.min.js']) {
      assert.equal((await fetch(`${service.url}/ui/assets/${asset}`)).headers.get('cache-control'), 'public, max-age=3600', asset);
    }
    assert.equal((await service.admin('DELETE', `/api/syncs/${id}`)).status, 204);
  });

  it('shows an unknown page as a 404 page to a signed-in person', async () => {
    const ui = new UiSession(service.url);
    await ui.signIn(ADMIN_TOKEN);
    const page = await ui.get('/ui/no-such-page');
    assert.equal(page.status, 404);
    assert.match(textOf(page.html), /There is no page at \/ui\/no-such-page/);
  });
});
