/**
 * What a person typed, as an error message quotes it: characters that show nothing or change how
 * the text around them reads (control characters such as NUL, bidi overrides such as U+202E,
 * zero-width and other format characters, line separators, lone surrogates) become visible
 * escapes like `<U+202E>`; a long value is cut. Every message that quotes input (the UI's
 * not-found pages, the admin API's and the CLI's errors) goes through `quoteInput`, so a value
 * can neither hide in a message nor turn the rest of it around.
 */

/**
 * Characters that are invisible or reorder text: Cc (controls), Cf (format: bidi, zero-width), Cs
 * (lone surrogates), Zl, Zp, and the other default-ignorable ones (U+3164 Hangul filler), but not
 * the variation selectors U+FE00–FE0F (an emoji's presentation). As src/display-names.ts refuses in names.
 */
const HIDDEN = /(?![\ufe00-\ufe0f])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

/** A character's code point as people write it: `U+202E`. */
export function codePointLabel(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with every hidden character shown as `<U+XXXX>`. */
export function showHidden(text: string): string {
  return text.replace(HIDDEN, (c) => `<${codePointLabel(c)}>`);
}

/** `'text'`, hidden characters shown, cut after `max` characters (of the input) with an ellipsis. */
export function quoteInput(text: unknown, max = 60): string {
  const value = String(text);
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return `'${showHidden(cut)}'`;
}
