import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveIdentifier } from './identifier.js';

const byEmail = { from: 'user_property', name: 'email' } as const;

describe('resolveIdentifier', () => {
  it('reads the stored user_id', () => {
    assert.equal(resolveIdentifier({ from: 'user_id' }, { userId: 'user-10001', userProperties: { email: 'a@example.com' } }), 'user-10001');
    assert.equal(resolveIdentifier({ from: 'user_id' }, { userId: null, userProperties: {} }), null);
  });

  it('reads the named property of the profile after the event', () => {
    assert.equal(resolveIdentifier(byEmail, { userId: 'user-10001', userProperties: { email: 'a@example.com' } }), 'a@example.com');
    assert.equal(resolveIdentifier(byEmail, { userId: null, userProperties: { email: 'device@example.com' } }), 'device@example.com');
    assert.equal(resolveIdentifier({ from: 'user_property', name: 'account' }, { userId: null, userProperties: { account: 1234 } }), 1234);
  });

  it('has no identifier for a missing, empty, null or non-scalar property', () => {
    for (const email of [undefined, '', null, ['a@example.com'], { at: 'x' }, true, Number.NaN]) {
      assert.equal(resolveIdentifier(byEmail, { userId: 'user-10001', userProperties: email === undefined ? {} : { email } }), null, String(email));
    }
    assert.equal(resolveIdentifier({ from: 'user_property', name: 'constructor' }, { userId: null, userProperties: {} }), null);
  });
});
