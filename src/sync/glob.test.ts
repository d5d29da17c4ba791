import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it('matches literal text exactly and case-sensitively', () => {
    assert.equal(globMatch('Checkout', 'Checkout'), true);
    assert.equal(globMatch('Checkout', 'checkout'), false);
    assert.equal(globMatch('Checkout', 'Checkout Started'), false);
    assert.equal(globMatch('', ''), true);
    assert.equal(globMatch('', 'x'), false);
  });

  it('lets * match any run of characters, including none', () => {
    assert.equal(globMatch('https://*.example.com/*', 'https://www.example.com/pricing'), true);
    assert.equal(globMatch('https://*.example.com/*', 'https://example.com/pricing'), false);
    assert.equal(globMatch('*', ''), true);
    assert.equal(globMatch('a*', 'a'), true);
    assert.equal(globMatch('*a*b*', 'xxaxxbxx'), true);
    assert.equal(globMatch('*a*b', 'xxaxxbxxc'), false);
    assert.equal(globMatch('a*b*c', 'abbbcbc'), true);
  });

  it('lets ? match exactly one character, counting a non-ASCII or astral character as one', () => {
    assert.equal(globMatch('v?.0', 'v2.0'), true);
    assert.equal(globMatch('v?.0', 'v.0'), false);
    assert.equal(globMatch('v?.0', 'v10.0'), false);
    assert.equal(globMatch('caf?', 'café'), true);
    assert.equal(globMatch('?', '😀'), true);
  });

  it('treats regular-expression characters as plain text', () => {
    assert.equal(globMatch('a.c', 'abc'), false);
    assert.equal(globMatch('(a|b)+', '(a|b)+'), true);
    assert.equal(globMatch('[ab]', 'a'), false);
    assert.equal(globMatch('^$\\', '^$\\'), true);
  });

  it('answers patterns that make backtracking regexes explode (many stars, long text)', () => {
    assert.equal(globMatch('*a*a*a*a*a*a*a*a*b', 'a'.repeat(20_000)), false);
    assert.equal(globMatch('*a*a*a*a*a*a*a*a*b', `${'a'.repeat(20_000)}b`), true);
  });
});
