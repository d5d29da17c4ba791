import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDisplayName, DISPLAY_NAME_MAX_CODE_POINTS, DISPLAY_NAME_MAX_LENGTH, displayNameKey, displayNameLength, type DisplayNameCheck } from './display-names.js';

/** The problem a name has, or undefined when it is accepted. */
function problemOf(name: string): string | undefined {
  const check: DisplayNameCheck = checkDisplayName(name);
  return check.ok ? undefined : check.problem;
}

describe('checkDisplayName', () => {
  it('accepts names in any script, emoji included', () => {
    for (const name of ['Web shop', 'Boutique été', 'ウェブショップ', 'متجر', '💥 launches', 'Team 👩‍💻', '❤️ fans', '👍🏽 ok']) {
      assert.deepEqual(checkDisplayName(name), { ok: true, name }, JSON.stringify(name));
    }
  });

  it('refuses control characters and bidirectional overrides', () => {
    for (const name of ['a\u0000b', 'line\nbreak', 'tab\there', 'bell\u0007', 'gnp\u202eexe', 'x\u2066y', 'c1\u0085']) {
      assert.match(problemOf(name) ?? '', /control characters or bidirectional overrides/, JSON.stringify(name));
    }
  });

  it('refuses invisible and format characters, naming the one found', () => {
    const cases: Array<[string, string]> = [
      ['Sh\u200bop', 'U+200B'], // zero-width space
      ['Shop\u3164x', 'U+3164'], // Hangul filler
      ['\u115fShop', 'U+115F'],
      ['Sh\u1160op', 'U+1160'],
      ['Sh\uffa0op', 'U+FFA0'],
      ['Shop\u200e!', 'U+200E'], // left-to-right mark
      ['Shop\u200f!', 'U+200F'], // right-to-left mark
      ['Sh\u00adop', 'U+00AD'], // soft hyphen
      ['Shop\u{e0001}x', 'U+E0001'], // language tag
      ['Shop\u{e0020}x', 'U+E0020'], // tag space
      ['Shop\u{e007f}x', 'U+E007F'], // cancel tag
      ['Sh\u2028op', 'U+2028'], // line separator
      ['Sh\u2029op', 'U+2029'], // paragraph separator
      ['Sh\u2060op', 'U+2060'], // word joiner (Cf)
      ['Sh\ufeffop', 'U+FEFF'], // zero-width no-break space (Cf)
      ['Sh\u200dop', 'U+200D'], // zero-width joiner between letters
      ['Sh\u200cop', 'U+200C'], // zero-width non-joiner
      ['Sh\u061cop', 'U+061C'], // Arabic letter mark (Cf)
      ['Sh\u2800op', 'U+2800'], // braille blank, used as a filler
    ];
    for (const [name, codePoint] of cases) {
      assert.equal(problemOf(name), `must not contain invisible or format characters (found ${codePoint})`, JSON.stringify(name));
    }
  });

  it('allows a variation selector only right after the emoji, keycap or CJK ideograph it modifies', () => {
    for (const name of ['❤️ fans', '❤\ufe0e text heart', '©️ 2024', 'Plan 1️⃣', '#️⃣ tags', '🏳️‍🌈 pride', '\u845b\u{e0100}飾 office']) {
      assert.deepEqual(checkDisplayName(name), { ok: true, name }, JSON.stringify(name));
    }
    const cases: Array<[string, string]> = [
      ['Shop\ufe0f', 'U+FE0F'], // after a letter it modifies nothing and only hides a difference
      ['Shop\ufe0e', 'U+FE0E'],
      ['Shop\ufe00', 'U+FE00'],
      ['\ufe0fShop', 'U+FE0F'], // first: after nothing
      ['Plan 1\ufe0f', 'U+FE0F'], // a digit takes one only as a keycap (1️⃣)
      ['❤️\ufe0f', 'U+FE0F'], // a second one follows a selector, not the emoji
      ['Shop\u{e0100}', 'U+E0100'], // ideographic variation selectors follow ideographs only
      ['❤\u{e0100}', 'U+E0100'],
      ['\u845b\ufe0f', 'U+FE0F'],
    ];
    for (const [name, codePoint] of cases) {
      assert.equal(problemOf(name), `may have a variation selector only right after the emoji or CJK ideograph it modifies (found ${codePoint})`, JSON.stringify(name));
    }
  });

  it('refuses a name of variation selectors alone as empty', () => {
    for (const name of ['\ufe0f', '\ufe0e', '\u{e0100}', ' \ufe0f\ufe0f ', '\u200d\ufe0f']) {
      assert.equal(problemOf(name), 'must not be empty (spaces and invisible characters alone are no name)', JSON.stringify(name));
    }
  });

  it('refuses a name that starts with a combining mark: it would sit on whatever the page shows before it', () => {
    for (const [name, codePoint] of <Array<[string, string]>>[['\u0301', 'U+0301'], ['\u0301Shop', 'U+0301'], [' \u20dd ring', 'U+20DD'], ['\u0903ab', 'U+0903']]) {
      assert.equal(problemOf(name), `must not start with a combining mark (found ${codePoint})`, JSON.stringify(name));
    }
    for (const name of ['Cafe\u0301', '\u0915\u093f', '1\ufe0f\u20e3 first']) {
      assert.deepEqual(checkDisplayName(name), { ok: true, name }, `${JSON.stringify(name)}: marks after their base are fine`);
    }
  });

  it('refuses text that is not valid Unicode (a lone surrogate)', () => {
    assert.match(problemOf('Shop\ud800') ?? '', /lone surrogate/);
  });

  it('removes surrounding whitespace, and refuses a name that is then empty', () => {
    assert.deepEqual(checkDisplayName('  Web shop \t\n'), { ok: true, name: 'Web shop' });
    assert.deepEqual(checkDisplayName('\u3000Shop\u00a0'), { ok: true, name: 'Shop' }, 'other spaces too');
    for (const name of ['', '   ', '\t\n', '\u200b', ' \u200b\u3164 ', '\u2028', '\u{e0020}\u{e0020}', '\u115f\u1160\uffa0', '\u00ad']) {
      assert.equal(problemOf(name), 'must not be empty (spaces and invisible characters alone are no name)', JSON.stringify(name));
    }
  });

  it('counts the limit in characters as people see them (grapheme clusters), after trimming', () => {
    assert.equal(DISPLAY_NAME_MAX_LENGTH, 200);
    assert.equal(displayNameLength('💥'), 1);
    assert.equal(displayNameLength('a💥b'), 3);
    assert.equal(displayNameLength('❤️'), 1, 'an emoji with its variation selector');
    assert.equal(displayNameLength('👩‍💻'), 1, 'an emoji sequence drawn as one picture');
    assert.equal(displayNameLength('👍🏽'), 1, 'with a skin tone');
    assert.equal(displayNameLength('🇫🇷'), 1, 'a flag');
    assert.equal(displayNameLength('1️⃣'), 1, 'a keycap');
    assert.equal(displayNameLength('Cafe\u0301'), 4, 'a letter with its combining accent');
    assert.equal(problemOf('W'.repeat(200)), undefined);
    assert.equal(problemOf('💥'.repeat(200)), undefined, '200 emoji are 400 UTF-16 code units but 200 characters');
    assert.equal(problemOf('❤️'.repeat(200)), undefined, '200 hearts are 400 code points but 200 characters');
    assert.equal(problemOf('👩‍💻'.repeat(200)), undefined, '600 code points');
    assert.equal(problemOf('e\u0301'.repeat(200)), undefined, 'decomposed é');
    assert.equal(problemOf(` ${'W'.repeat(200)}  `), undefined, 'surrounding spaces do not count');
    assert.equal(problemOf('W'.repeat(201)), 'must be at most 200 characters (it has 201)');
    assert.equal(problemOf('💥'.repeat(201)), 'must be at most 200 characters (it has 201)');
    assert.equal(problemOf('❤️'.repeat(202)), 'must be at most 200 characters (it has 202)');
  });

  it('caps the code points too, so that combining characters cannot make a short name enormous', () => {
    assert.equal(DISPLAY_NAME_MAX_CODE_POINTS, 1000);
    assert.equal(problemOf(`a${'\u0301'.repeat(999)}`), undefined, 'one character of 1000 code points');
    assert.equal(problemOf(`a${'\u0301'.repeat(1000)}`), 'must be at most 1000 Unicode code points (it has 1001)');
    assert.equal(problemOf('W'.repeat(5000)), 'must be at most 1000 Unicode code points (it has 5000)');
  });

  it('stores every Unicode space (Zs) inside a name as an ordinary space', () => {
    assert.deepEqual(checkDisplayName('Shop\u00a0X'), { ok: true, name: 'Shop X' }, 'no-break space');
    assert.deepEqual(checkDisplayName('a\u2000b\u200ac\u202fd\u205fe\u3000f'), { ok: true, name: 'a b c d e f' });
    assert.deepEqual(checkDisplayName('Shop\u2003\u2003X'), { ok: true, name: 'Shop  X' }, 'a run stays a run');
  });

  it('compares runs of spaces of any kind as one space', () => {
    assert.equal(displayNameKey('Shop X'), displayNameKey('Shop\u00a0X'));
    assert.equal(displayNameKey('Shop X'), displayNameKey('Shop  X'));
    assert.equal(displayNameKey('Shop X'), displayNameKey('shop\u3000\u2009x'));
    assert.notEqual(displayNameKey('Shop X'), displayNameKey('ShopX'));
  });

  it('compares names without variation selectors and zero-width joiners', () => {
    assert.equal(displayNameKey('❤️'), displayNameKey('❤'));
    assert.equal(displayNameKey('❤\ufe0e fans'), displayNameKey('❤️ Fans'));
    assert.equal(displayNameKey('👩‍💻 team'), displayNameKey('👩💻 team'));
    assert.equal(displayNameKey('\u845b\u{e0100}飾'), displayNameKey('\u845b飾'));
    assert.equal(displayNameKey('Shop\ufe0f'), displayNameKey('Shop'), 'also for names stored before selectors were checked');
  });

  it('compares names without case or surrounding spaces, and composed like decomposed', () => {
    assert.equal(displayNameKey('Shop'), displayNameKey(' shop '));
    assert.equal(displayNameKey('SHOP'), displayNameKey('shop'));
    assert.equal(displayNameKey('Caf\u00e9'), displayNameKey('cafe\u0301'));
    assert.notEqual(displayNameKey('Shop'), displayNameKey('Shop 2'));
  });
});
