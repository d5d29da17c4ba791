import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_IDLE_MS, SESSION_MAX_MS, SessionStore } from './session-store.js';

describe('SessionStore', () => {
  it('knows the sessions it created, and no other id', () => {
    const sessions = new SessionStore();
    const id = sessions.create();
    assert.ok(id.length >= 40, 'a 256-bit random id');
    assert.equal(sessions.touch(id), true);
    assert.equal(sessions.touch(`${id}x`), false);
    assert.equal(sessions.touch(undefined), false);
    assert.equal(sessions.touch(''), false);
  });

  it('ends a session left idle too long, and any session past its maximum age even when used', () => {
    let now = 1_000_000;
    const sessions = new SessionStore(() => now);
    const idle = sessions.create();
    const busy = sessions.create();
    now += SESSION_IDLE_MS - 1;
    assert.equal(sessions.touch(busy), true);
    now += 2;
    assert.equal(sessions.touch(idle), false, 'idle past the limit');
    for (let t = 0; t < SESSION_MAX_MS; t += SESSION_IDLE_MS / 2) {
      now += SESSION_IDLE_MS / 2;
      if (!sessions.touch(busy)) break;
    }
    assert.equal(sessions.touch(busy), false, 'used all along, but past the maximum age');
  });

  it('shows a value once, only to its own session', () => {
    const sessions = new SessionStore();
    const mine = sessions.create();
    const other = sessions.create();
    sessions.showOnce(mine, 'created-project', 'key-123');
    assert.equal(sessions.takeOnce(other, 'created-project'), undefined);
    assert.equal(sessions.takeOnce(mine, 'created-project'), 'key-123');
    assert.equal(sessions.takeOnce(mine, 'created-project'), undefined);
  });

  it('signing out ends the session', () => {
    const sessions = new SessionStore();
    const id = sessions.create();
    sessions.end(id);
    assert.equal(sessions.touch(id), false);
    assert.equal(sessions.size, 0);
  });
});
