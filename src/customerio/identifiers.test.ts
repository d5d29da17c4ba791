import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEmailShaped, toIdentifiers } from './identifiers.js';

describe('toIdentifiers', () => {
  it('sends a cio_ value as cio_id without the prefix', () => {
    assert.deepEqual(toIdentifiers('cio_a3000001'), { ok: true, identifiers: { cio_id: 'a3000001' } });
  });

  it('sends an email-shaped value as email, as given', () => {
    assert.deepEqual(toIdentifiers('Ann.Lee+x@Example.co.uk'), { ok: true, identifiers: { email: 'Ann.Lee+x@Example.co.uk' } });
  });

  it('sends anything else as id, unchanged (slashes, spaces, plus, non-ASCII)', () => {
    assert.deepEqual(toIdentifiers('org/42/user 7+x'), { ok: true, identifiers: { id: 'org/42/user 7+x' } });
    assert.deepEqual(toIdentifiers('usér-ü'), { ok: true, identifiers: { id: 'usér-ü' } });
    assert.deepEqual(toIdentifiers('a@b'), { ok: true, identifiers: { id: 'a@b' } });
  });

  it('turns numbers into their decimal text', () => {
    assert.deepEqual(toIdentifiers(42), { ok: true, identifiers: { id: '42' } });
    assert.deepEqual(toIdentifiers(1.5), { ok: true, identifiers: { id: '1.5' } });
  });

  it('accepts exactly 150 bytes and refuses 151, counting UTF-8 bytes', () => {
    assert.equal(toIdentifiers('x'.repeat(150)).ok, true);
    const over = toIdentifiers('x'.repeat(151));
    assert.equal(over.ok, false);
    assert.match((over as { reason: string }).reason, /151 bytes.*150-byte/);
    assert.equal(toIdentifiers('é'.repeat(75)).ok, true);
    assert.equal(toIdentifiers(`${'é'.repeat(75)}x`).ok, false);
  });

  it('refuses empty, blank, missing and non-scalar values with a reason', () => {
    for (const value of ['', '   ', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, true, {}, ['a'], 'cio_']) {
      const result = toIdentifiers(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      assert.ok((result as { reason: string }).reason.length > 0);
    }
    assert.deepEqual(toIdentifiers(null), { ok: false, reason: 'no identifier' });
  });
});

describe('isEmailShaped', () => {
  it('needs one @, a local part and a dotted domain, without spaces', () => {
    assert.equal(isEmailShaped('a@b.co'), true);
    assert.equal(isEmailShaped('a@b'), false);
    assert.equal(isEmailShaped('a b@c.de'), false);
    assert.equal(isEmailShaped('a@@c.de'), false);
    assert.equal(isEmailShaped('@c.de'), false);
    assert.equal(isEmailShaped('a@c..de'), false);
  });
});
