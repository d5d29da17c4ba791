import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeadLetters } from '../engine/dead-letters.js';
import type { SyncService } from '../engine/sync-service.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { SimulatorView } from '../simulator/server.js';
import type { Store } from '../store/types.js';
import type { PageContext } from './layout.js';
import { SESSION_COOKIE, type SessionStore } from './session-store.js';

/** The names seen at ingest in a project, for the editor's pickers. */
export interface SeenNames {
  eventTypes: string[];
  eventProperties: string[];
  userProperties: string[];
}

/** What the UI's pages work with: the same services the admin API uses, called in-process. */
export interface UiDependencies {
  adminToken: string;
  projects: ProjectDirectory;
  store: Store;
  syncs: SyncService;
  deadLetters: DeadLetters;
  sessions: SessionStore;
  /** The Customer.io simulator running in this process (`serve --simulator`): the Simulator page shows it. */
  simulator: SimulatorView | undefined;
  /** The catalog of names seen at ingest, per project. */
  catalog: (projectId: number) => Promise<SeenNames>;
  clock: () => number;
}

/**
 * What a CSRF token is bound to: the session it was made for (`signed-out` before signing in). A token
 * fetched by anyone else (a page on another port of the same host can toss its own CSRF cookie
 * into the browser) does not match the victim's session, so it is refused.
 */
export function csrfUserInfo(request: FastifyRequest): string {
  const session = request.cookies?.[SESSION_COOKIE];
  return session === undefined || session === '' ? 'signed-out' : `session:${session}`;
}

/** The page context of a signed-in request: a fresh CSRF token (its secret lives in a cookie). */
export function pageContext(reply: FastifyReply, deps: UiDependencies): PageContext {
  return { csrfToken: reply.generateCsrf({ userInfo: csrfUserInfo(reply.request) }), hasSimulator: deps.simulator !== undefined };
}

/** Whether htmx made the request (it then swaps a fragment instead of loading a page). */
export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

/** Where the SDKs send to: this server as the browser reached it (`serverUrl` in an SDK). */
export function publicOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
