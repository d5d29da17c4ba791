import { createHash, randomBytes } from 'node:crypto';

/** How long a signed-in session lasts without being used. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** How long a session lasts at most, used or not. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** The cookie that carries a session's id. */
export const SESSION_COOKIE = 'ampstream_session';

interface Session {
  createdAt: number;
  lastUsedAt: number;
  /** Values shown once on the next page (a new project's API key), then gone. */
  once: Map<string, string>;
}

function digest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/**
 * Signed-in browser sessions, kept in memory: a random 256-bit id per session, held by the
 * browser in an HttpOnly cookie; only the id's hash is kept here, so nothing in memory can be
 * replayed as a cookie. A restart signs everyone out (they sign in again with the admin token).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Starts a session and returns its id (the cookie's value). */
  create(): string {
    this.prune();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    this.sessions.set(digest(id), { createdAt: now, lastUsedAt: now, once: new Map() });
    return id;
  }

  /** Whether the id names a live session; using it extends its idle time. */
  touch(id: string | undefined): boolean {
    if (id === undefined || id.length === 0 || id.length > 100) return false;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (session === undefined) return false;
    const now = this.clock();
    if (now - session.lastUsedAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS) {
      this.sessions.delete(key);
      return false;
    }
    session.lastUsedAt = now;
    return true;
  }

  /** Keeps a value for the session's next page only (Post/Redirect/Get without putting it in a URL). */
  showOnce(id: string | undefined, name: string, value: string): void {
    if (id !== undefined) this.sessions.get(digest(id))?.once.set(name, value);
  }

  /** Takes a value kept by showOnce; a second call finds nothing. */
  takeOnce(id: string | undefined, name: string): string | undefined {
    if (id === undefined) return undefined;
    const once = this.sessions.get(digest(id))?.once;
    const value = once?.get(name);
    once?.delete(name);
    return value;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(digest(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = this.clock();
    for (const [key, session] of this.sessions) {
      if (now - session.lastUsedAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS) this.sessions.delete(key);
    }
  }
}
