import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPage } from './html.js';
import { Layout, Notice } from './layout.js';
import { SESSION_COOKIE } from './session-store.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { csrfUserInfo, type UiDependencies } from './ui-context.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

const DEFAULT_NEXT = '/ui/projects';
/** A path of the UI as written: plain segments, nothing percent-encoded, no backslash. */
const UI_PATH = /^\/ui\/[A-Za-z0-9/_.-]*$/;
/** A query string: what the UI's own links and forms write (values percent-encoded). */
const QUERY = /^[A-Za-z0-9_.~%+=&,:@[\]-]*$/;

/**
 * Where to go after signing in: a page of this UI, never another site or another part of this
 * server. Only a path that stays under `/ui/` as it is written is taken: no `.` or `..` segment,
 * no `//`, no backslash and nothing percent-encoded in the path (a browser normalizes all of
 * these, `/ui/%2e%2e/api` becomes `/api`), no fragment; anything else goes to the Projects page.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return DEFAULT_NEXT;
  const queryAt = next.indexOf('?');
  const path = queryAt === -1 ? next : next.slice(0, queryAt);
  const query = queryAt === -1 ? '' : next.slice(queryAt + 1);
  if (!UI_PATH.test(path) || !QUERY.test(query)) return DEFAULT_NEXT;
  if (path.includes('//') || path.split('/').some((segment) => segment === '.' || segment === '..')) return DEFAULT_NEXT;
  // what a browser makes of it, to be sure: the same path, under /ui/
  return new URL(next, 'http://ampstream.invalid').pathname === path ? next : DEFAULT_NEXT;
}

export function sessionCookieOptions(request: FastifyRequest) {
  return { path: '/ui', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' };
}

function SignInPage({ csrfToken, next, problem }: { csrfToken: string; next: string; problem?: string }) {
  return (
    <Layout title="Sign in" section="none" context={null}>
      <form method="post" action="/ui/sign-in" class="stack narrow">
        {problem !== undefined && <Notice kind="error">{problem}</Notice>}
        <p>
          Sign in with the admin token: the value of <code>AMPSTREAM_ADMIN_TOKEN</code>, or the token printed when the server first
          started (it is kept in the data directory, in <code>admin-token</code>).
        </p>
        <input type="hidden" name="_csrf" value={csrfToken} />
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        </div>
        <button type="submit" class="btn btn-primary">
          Sign in
        </button>
      </form>
    </Layout>
  );
}

/** `/ui/sign-in` (the only page that answers without a session) and `/ui/sign-out`. */
export function signInRoutes(app: FastifyInstance, deps: UiDependencies): void {
  const expected = digest(deps.adminToken);
  const show = (reply: FastifyReply, next: string, problem?: string, status = problem === undefined ? 200 : 401) =>
    sendPage(reply, <SignInPage csrfToken={reply.generateCsrf({ userInfo: csrfUserInfo(reply.request) })} next={next} {...(problem === undefined ? {} : { problem })} />, status);

  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => show(reply, safeNext(request.query.next)));

  const throttle = new SignInThrottle();
  app.post<{ Body: { token?: unknown; next?: unknown } }>('/sign-in', async (request, reply) => {
    // a pasted token often brings a space or a line break along
    const token = typeof request.body?.token === 'string' ? request.body.token.trim() : undefined;
    const next = safeNext(request.body?.next);
    const wait = throttle.waitFor(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return show(reply, next, `Too many wrong tokens from this address: try again in ${Math.ceil(wait / 1000)} s.`, 429);
    }
    if (token === undefined || token.length === 0 || !timingSafeEqual(digest(token), expected)) {
      throttle.failed(request.ip);
      request.log.info({ ip: request.ip }, 'UI sign-in refused: wrong admin token');
      return show(reply, next, 'That is not the admin token.');
    }
    throttle.succeeded(request.ip);
    reply.setCookie(SESSION_COOKIE, deps.sessions.create(), sessionCookieOptions(request));
    return reply.code(303).header('location', next).send();
  });

  app.post('/sign-out', async (request, reply) => {
    deps.sessions.end(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request));
    return reply.code(303).header('location', '/ui/sign-in').send();
  });
}
