import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteInput, showHidden } from './visible-text.js';

describe('quoting what a person typed', () => {
  it('shows control, bidi, zero-width and separator characters as escapes', () => {
    assert.equal(showHidden('\u202E1'), '<U+202E>1');
    assert.equal(showHidden('a\u0000b'), 'a<U+0000>b');
    assert.equal(showHidden('x\u200By\u2028z\uFEFF\u0085\u007F'), 'x<U+200B>y<U+2028>z<U+FEFF><U+0085><U+007F>');
    assert.equal(showHidden('\uD800'), '<U+D800>', 'a lone surrogate');
    assert.equal(showHidden('a\u3164b'), 'a<U+3164>b', 'a default-ignorable letter');
  });
  it('leaves letters of every script, emoji and spaces as they are', () => {
    assert.equal(showHidden('Zoë 東京 مرحبا 👋 ❤\ufe0f a b'), 'Zoë 東京 مرحبا 👋 ❤\ufe0f a b');
  });
  it('quotes and cuts a long value', () => {
    assert.equal(quoteInput('abc'), "'abc'");
    assert.equal(quoteInput('x'.repeat(61)), `'${'x'.repeat(60)}…'`);
    assert.equal(quoteInput('\u202E'.repeat(3), 2), "'<U+202E><U+202E>…'");
  });
});
