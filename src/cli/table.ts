/**
 * Plain-text tables for the CLI. Widths are measured as a terminal draws text, not in UTF-16
 * units: a character as people see it (a grapheme cluster: "é" written as e + U+0301, ❤️, 👩‍💻)
 * is one cell, two when it is East Asian wide or fullwidth or drawn as an emoji, none when it is
 * only marks or format characters. Names are cut to NAME_COLUMN_WIDTH columns with "…" in tables
 * (`--json` and `show` give them whole), so one long name does not stretch every row.
 */

/** The most columns a name takes in a table. */
export const NAME_COLUMN_WIDTH = 40;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ZERO_WIDTH = /^[\p{Cc}\p{Cf}\p{M}]+$/u;
/** Drawn as an emoji: emoji presentation by default, asked for with U+FE0F, a keycap, a flag. */
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\u20e3|\p{Regional_Indicator}/u;
/** The main East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth.txt, W and F). */
const WIDE: Array<[number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed, compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x18aff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x20000, 0x2fffd], // CJK extensions B–F, compatibility supplement
  [0x30000, 0x3fffd], // CJK extensions G–H
];

function isWide(codePoint: number): boolean {
  return WIDE.some(([first, last]) => codePoint >= first && codePoint <= last);
}

/** The columns one grapheme cluster takes. */
function clusterWidth(cluster: string): number {
  if (ZERO_WIDTH.test(cluster)) return 0;
  if (EMOJI.test(cluster) && !cluster.includes('\ufe0e')) return 2;
  return isWide(cluster.codePointAt(0) ?? 0) ? 2 : 1;
}

/** The columns a text takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += clusterWidth(segment);
  return width;
}

/** The text, or as much of it as fits in `width` columns with "…" after it; never cut inside a character. */
export function cutToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = clusterWidth(segment);
    if (used + next > width - 1) break;
    kept += segment;
    used += next;
  }
  return `${kept}…`;
}

/** Prints rows as an aligned plain-text table. */
export function printTable(headers: string[], rows: string[][], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (cell: string, width: number) => cell + ' '.repeat(Math.max(0, width - displayWidth(cell)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd();
  write(`${line(headers)}\n`);
  for (const row of rows) write(`${line(row)}\n`);
  if (rows.length === 0) write('(none)\n');
}
