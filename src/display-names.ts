/**
 * The rules for names people give things (projects, syncs), in one place for every way a name
 * comes in (admin API, CLI, config file, web UI). Names are shown in lists, pages and terminals:
 *
 * - surrounding whitespace is removed (`String.prototype.trim`) before anything else, and every
 *   other Unicode space inside (`Zs`: no-break space `U+00A0`, `U+2000`–`U+200A`, `U+202F`,
 *   `U+205F`, `U+3000`) is stored as an ordinary space: they look alike;
 * - control characters would break a line or a terminal, and bidirectional overrides would make a
 *   name read as something else (`U+202E` turns "gnp.exe" around);
 * - invisible and format characters (Unicode `Cf`, `Zl`, `Zp`, the default-ignorable code points
 *   such as Hangul fillers, and the braille blank) make two names that look the same differ, or a
 *   name that looks empty; the one exception is the zero-width joiner inside an emoji sequence
 *   (👩‍💻), which is drawn as one picture;
 * - a variation selector picks how the character before it is drawn, and only some characters have
 *   variants: `U+FE00`–`U+FE0F` are allowed right after an emoji (Extended_Pictographic: ❤️, ©️)
 *   or a keycap digit (`1` `U+FE0F` `U+20E3`: 1️⃣), `U+E0100`–`U+E01EF` right after a CJK
 *   ideograph. Anywhere else one modifies nothing: alone it is a blank name, after a letter it
 *   makes "Shop" and "Shop" + `U+FE0F` two names that look the same;
 * - a name that is empty after this (only spaces and invisible characters) is no name;
 * - a name must not start with a combining mark (`\p{M}`, an accent such as `U+0301`): it would
 *   sit on whatever the page or terminal shows before the name;
 * - at most 200 characters, counted as people see characters: grapheme clusters (`Intl.Segmenter`),
 *   so 💥, ❤️ (two code points), 👩‍💻 (three) and "é" written as e + `U+0301` are one each; and at
 *   most 1000 code points however they combine, so that a short-looking name cannot be enormous.
 *
 * Two names are the same name when they differ only in case, whitespace around them, the kind and
 * number of spaces between words, Unicode composition, variation selectors or zero-width joiners
 * (`displayNameKey`: ❤️ and ❤, 👩‍💻 and 👩💻 are one name). Pure.
 */
import { codePointLabel } from './visible-text.js';

/** The longest name, in characters as people see them (grapheme clusters). */
export const DISPLAY_NAME_MAX_LENGTH = 200;
/** The most code points a name may have, however they combine into characters. */
export const DISPLAY_NAME_MAX_CODE_POINTS = 1000;

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Invisible or format characters; variation selectors (default-ignorable too) are checked apart. */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u2800\p{Default_Ignorable_Code_Point}]/u;
const VARIATION_SELECTOR = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
const EMOJI_SELECTOR = /[\ufe00-\ufe0f]/u;
const IDEOGRAPHIC_SELECTOR = /[\u{e0100}-\u{e01ef}]/u;
const EMOJI = /\p{Extended_Pictographic}/u;
const KEYCAP_BASE = /[0-9#*]/;
const KEYCAP = '\u20e3';
const IDEOGRAPH = /\p{Ideographic}/u;
/** A zero-width joiner between two emoji (after an optional variation selector or skin tone). */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\ufe0f\u{1f3fb}-\u{1f3ff}]?)\u200d(?=\p{Extended_Pictographic})/gu;
const LONE_SURROGATE = /\p{Cs}/u;
const SPACE = /\p{Zs}/gu;
const COMBINING_MARK = /^\p{M}/u;
/** What the comparison leaves out: variation selectors and the zero-width joiner. */
const NOT_COMPARED = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u200d]/gu;

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; problem: string };

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A name's length as the limit counts it: characters as people see them (grapheme clusters). */
export function displayNameLength(name: string): number {
  let length = 0;
  for (const _ of graphemes.segment(name)) length += 1;
  return length;
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The first invisible or format character of a name, or undefined. */
function firstInvisible(name: string): string | undefined {
  for (const character of name.replace(EMOJI_JOINER, '')) {
    if (INVISIBLE.test(character) && !VARIATION_SELECTOR.test(character)) return character;
  }
  return undefined;
}

/** Whether a name shows nothing: only whitespace and invisible characters (variation selectors included). */
function showsNothing(name: string): boolean {
  for (const character of name) {
    if (!/\s/.test(character) && !INVISIBLE.test(character)) return false;
  }
  return true;
}

/** The first variation selector that does not follow a character it can modify, or undefined. */
function misplacedVariationSelector(name: string): string | undefined {
  const characters = [...name];
  for (const [index, character] of characters.entries()) {
    const before = characters[index - 1] ?? '';
    const after = characters[index + 1] ?? '';
    if (EMOJI_SELECTOR.test(character)) {
      if (!EMOJI.test(before) && !(KEYCAP_BASE.test(before) && after === KEYCAP)) return character;
    } else if (IDEOGRAPHIC_SELECTOR.test(character)) {
      if (!IDEOGRAPH.test(before)) return character;
    }
  }
  return undefined;
}

/**
 * The name as it is stored (surrounding whitespace removed, spaces made ordinary), or why it cannot be used. The
 * problem reads after the field's name (`name: must not be empty …`).
 */
export function checkDisplayName(raw: string): DisplayNameCheck {
  const name = raw.trim().replace(SPACE, ' ');
  const codePoints = codePointCount(name);
  if (codePoints > DISPLAY_NAME_MAX_CODE_POINTS) {
    return { ok: false, problem: `must be at most ${DISPLAY_NAME_MAX_CODE_POINTS} Unicode code points (it has ${codePoints})` };
  }
  const length = displayNameLength(name);
  if (length > DISPLAY_NAME_MAX_LENGTH) return { ok: false, problem: `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters (it has ${length})` };
  if (showsNothing(name)) return { ok: false, problem: 'must not be empty (spaces and invisible characters alone are no name)' };
  if (UNSAFE.test(name)) return { ok: false, problem: 'must not contain control characters or bidirectional overrides' };
  if (LONE_SURROGATE.test(name)) return { ok: false, problem: 'must be valid Unicode text (it holds a lone surrogate)' };
  const invisible = firstInvisible(name);
  if (invisible !== undefined) return { ok: false, problem: `must not contain invisible or format characters (found ${codePointLabel(invisible)})` };
  const selector = misplacedVariationSelector(name);
  if (selector !== undefined) {
    return { ok: false, problem: `may have a variation selector only right after the emoji or CJK ideograph it modifies (found ${codePointLabel(selector)})` };
  }
  const mark = COMBINING_MARK.exec(name)?.[0];
  if (mark !== undefined) return { ok: false, problem: `must not start with a combining mark (found ${codePointLabel(mark)})` };
  return { ok: true, name };
}

/**
 * What makes two names the same name: without variation selectors and zero-width joiners, every
 * run of whitespace one space, no surrounding whitespace, composed (NFC), lower case.
 */
export function displayNameKey(name: string): string {
  return name.replace(NOT_COMPARED, '').replace(/\s+/gu, ' ').trim().normalize('NFC').toLowerCase();
}
