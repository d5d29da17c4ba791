import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import qs from 'qs';
import { AmpstreamError, isAmpstreamError } from '../errors.js';
import { BAD_URL_MESSAGE, isBadUrl } from '../http/areas.js';
import { showHidden } from '../visible-text.js';
import { refuseRepeatedQuery } from '../query-params.js';
import { assetRoutes, loadAssets } from './assets.js';
import { sendFragment, sendPage } from './html.js';
import { Layout, Notice } from './layout.js';
import { projectPages } from './pages/projects.js';
import { simulatorPage } from './pages/simulator.js';
import { syncDeliveryPages } from './pages/sync-delivery/routes.js';
import { syncEditorPages } from './pages/sync-editor/routes.js';
import { syncListPage } from './pages/sync-list.js';
import { SESSION_COOKIE } from './session-store.js';
import { signInRoutes } from './sign-in.js';
import { csrfUserInfo, isHtmx, pageContext, publicOrigin, type UiDependencies } from './ui-context.js';

/** Form bodies of the UI: nested names (`send_events[events][0][event_type]`) become objects. */
const FORM_BODY_LIMIT = 256 * 1024;

const CROSS_ORIGIN_MESSAGE = 'This form did not come from this site, so nothing was done. Open the page here and try again.';

/**
 * Whether a form post comes from a page of this server, by what the browser says (the CSRF token
 * is checked in any case):
 * - `Origin: null` (a sandboxed frame, a local file, a redirect through another site): refused;
 * - `Sec-Fetch-Site` (current browsers) decides when sent: `same-origin` (or `none`, the person's
 *   own action) only. A page on another port or subdomain of the same host is same-site (SameSite
 *   cookies go with it) but not same-origin, and is refused;
 * - else `Origin` (older browsers), when sent, must be this server's;
 * - else `Referer`, when sent, must be a page of this server's origin;
 * - with none of them (old browsers, privacy tools, clients that are not browsers), the CSRF token
 *   alone decides.
 */
function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === 'null') return false;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  if (typeof origin === 'string') return origin === publicOrigin(request);
  const referer = request.headers.referer;
  if (typeof referer === 'string') return originOf(referer) === publicOrigin(request);
  return true;
}

/** The origin of a URL a browser sent (`Referer`, `HX-Current-URL`), or undefined for one that is no URL. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The page a form was posted from (htmx says it; browsers send the Referer), when it is one of ours. */
function pageOfForm(request: FastifyRequest): string | undefined {
  const from = request.headers['hx-current-url'] ?? request.headers.referer;
  if (typeof from !== 'string' || originOf(from) !== publicOrigin(request)) return undefined;
  const url = new URL(from);
  return url.pathname.startsWith('/ui/') ? `${url.pathname}${url.search}` : undefined;
}

/** The UI's stylesheet, scripts and icon: the same for everyone, so browsers may cache them. */
function isAsset(request: FastifyRequest): boolean {
  return (request.url.split('?')[0] as string).startsWith('/ui/assets/');
}

/** Pages and files that answer without a session. */
function isPublic(request: FastifyRequest): boolean {
  return request.url.split('?')[0] === '/ui/sign-in' || isAsset(request);
}

/**
 * What every UI reply carries: no framing by other sites, no inline scripts or styles (htmx's
 * own indicator styles are switched off in the layout), no referrer (ids in URLs) sent to other sites.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin: our own pages learn where a form came from; other sites learn nothing
  'referrer-policy': 'same-origin',
};

/**
 * The error page (or, for htmx, a fragment) for anything a UI route throws, and for what fastify
 * refuses before any UI route runs (a URL it cannot decode). Never a stack trace.
 */
export function uiErrorHandler(deps: UiDependencies) {
  return (error: FastifyError | AmpstreamError, request: FastifyRequest, reply: FastifyReply) => {
    let status: number;
    let message: string;
    const code = (error as FastifyError).code;
    // also when fastify answered before the UI's scope (and its onSend hook) was reached
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    reply.header('cache-control', 'no-store');
    if (isBadUrl(error as FastifyError)) {
      status = 400;
      message = `This address is not valid: ${BAD_URL_MESSAGE.replace(/^the URL path is not valid: /, '')}. Check the link.`;
    } else if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      status = 403;
      message = 'This form has expired or did not come from this site. Reload the page and try again.';
    } else if (isAmpstreamError(error)) {
      status = error.status;
      message = error.message;
    } else if ((error as FastifyError).statusCode !== undefined && (error as FastifyError).statusCode! < 500) {
      status = (error as FastifyError).statusCode!;
      message = code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'The form is too large.' : error.message;
    } else {
      status = 503;
      message = 'Something went wrong on the server; nothing was changed. Try again.';
      request.log.error({ err: error }, 'UI request failed');
    }
    if (isHtmx(request)) return sendFragment(reply, <Notice kind="error">{message}</Notice>, status);
    // before the UI's scope (a URL fastify cannot decode) there are no cookies and no CSRF tokens
    const inScope = typeof reply.generateCsrf === 'function';
    const context = inScope && deps.sessions.touch(request.cookies?.[SESSION_COOKIE]) ? pageContext(reply, deps) : null;
    return sendPage(
      reply,
      <Layout title={status === 404 ? 'Not found' : 'Something is wrong'} section="none" context={context}>
        <Notice kind="error">{message}</Notice>
        <p>
          <a href="/ui/">Back to the start</a>
        </p>
      </Layout>,
      status,
    );
  };
}

/**
 * The web UI under `/ui/`: server-rendered pages, htmx for the parts that update in place. A
 * person signs in with the admin token; the session lives in an HttpOnly, SameSite=Strict cookie
 * (Secure over TLS), and every form post carries a CSRF token. Registered with prefix `/ui`.
 */
export async function uiRoutes(app: FastifyInstance, deps: UiDependencies): Promise<void> {
  await app.register(cookie);
  await app.register(csrf, {
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: randomBytes(32).toString('base64url') },
    cookieKey: 'ampstream_csrf',
    cookieOpts: { path: '/ui', httpOnly: true, sameSite: 'strict', secure: 'auto' },
  });
  await app.register(formbody, {
    bodyLimit: FORM_BODY_LIMIT,
    parser: (body: string) => qs.parse(body, { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 }),
  });

  app.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    // pages, fragments, errors and redirects show (or lead to) what a session may see: kept by no
    // cache, so Back after Sign out shows nothing; only the files under /ui/assets/ are cached
    if (!isAsset(request)) reply.header('cache-control', 'no-store');
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    if (deps.sessions.touch(request.cookies[SESSION_COOKIE])) return;
    const next = request.method === 'GET' ? request.url : (pageOfForm(request) ?? '/ui/projects');
    const location = `/ui/sign-in?next=${encodeURIComponent(next)}`;
    if (isHtmx(request)) return reply.code(401).header('hx-redirect', location).send();
    return reply.code(303).header('location', location).send();
  });
  // every state-changing request (the sign-in form's too) comes from this origin and carries the
  // CSRF token of this session
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (!isSameOrigin(request)) throw new AmpstreamError('forbidden', CROSS_ORIGIN_MESSAGE);
    await new Promise<void>((resolve, reject) => {
      app.csrfProtection(request, reply, (error?: Error) => (error === undefined ? resolve() : reject(error)));
    });
  });
  // a query parameter given twice is refused naming it, as the admin API does (`?project=1&project=2`)
  app.addHook('preValidation', refuseRepeatedQuery);
  app.setErrorHandler(uiErrorHandler(deps));
  app.setNotFoundHandler(async (request) => {
    if (!isPublic(request) && !deps.sessions.touch(request.cookies[SESSION_COOKIE])) {
      throw new AmpstreamError('not_found', 'Sign in first.');
    }
    throw new AmpstreamError('not_found', `There is no page at ${showHidden(request.url.split('?')[0] as string)}.`);
  });

  assetRoutes(app, loadAssets());
  signInRoutes(app, deps);
  app.get('/', async (_request, reply) => reply.code(303).header('location', '/ui/syncs').send());
  projectPages(app, deps);
  syncListPage(app, deps);
  simulatorPage(app, deps);
  syncEditorPages(app, deps);
  syncDeliveryPages(app, deps);
}
