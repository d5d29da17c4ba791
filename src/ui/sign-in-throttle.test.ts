import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIGN_IN_ATTEMPTS, SIGN_IN_WINDOW_MS, SignInThrottle } from './sign-in-throttle.js';

describe('SignInThrottle', () => {
  it('lets an address try until it has failed too often in the window, then makes it wait the rest of the window', () => {
    let now = 0;
    const throttle = new SignInThrottle(() => now);
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) {
      assert.equal(throttle.waitFor('10.0.0.1'), 0, `attempt ${i + 1}`);
      throttle.failed('10.0.0.1');
    }
    now = 1000;
    assert.equal(throttle.waitFor('10.0.0.1'), SIGN_IN_WINDOW_MS - 1000);
    assert.equal(throttle.waitFor('10.0.0.2'), 0, 'other addresses are not held');
    now = SIGN_IN_WINDOW_MS + 1;
    assert.equal(throttle.waitFor('10.0.0.1'), 0, 'after the window it may try again');
  });

  it('forgets the failures of an address that signs in', () => {
    const throttle = new SignInThrottle(() => 0);
    for (let i = 0; i < SIGN_IN_ATTEMPTS - 1; i++) throttle.failed('10.0.0.1');
    throttle.succeeded('10.0.0.1');
    throttle.failed('10.0.0.1');
    assert.equal(throttle.waitFor('10.0.0.1'), 0);
  });
});
