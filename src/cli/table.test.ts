import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutToWidth, displayWidth, NAME_COLUMN_WIDTH, printTable } from './table.js';

/** What printTable writes, as lines. */
function tableOf(headers: string[], rows: string[][]): string[] {
  let out = '';
  printTable(headers, rows, (s) => (out += s));
  return out.split('\n').slice(0, -1);
}

describe('displayWidth: the columns a terminal gives a text', () => {
  it('counts a character as people see it once, wide (East Asian) characters and emoji twice', () => {
    assert.equal(displayWidth('Shop'), 4);
    assert.equal(displayWidth('Cafe\u0301'), 4, 'a combining accent takes no column');
    assert.equal(displayWidth('Café'), 4);
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('ｗｅｂ'), 6, 'fullwidth letters');
    assert.equal(displayWidth('한국'), 4);
    assert.equal(displayWidth('💥'), 2);
    assert.equal(displayWidth('❤️'), 2, 'an emoji drawn as an emoji');
    assert.equal(displayWidth('❤\ufe0e'), 1, 'drawn as text');
    assert.equal(displayWidth('👩‍💻'), 2, 'a sequence is one picture');
    assert.equal(displayWidth('👍🏽'), 2);
    assert.equal(displayWidth('🇫🇷'), 2);
    assert.equal(displayWidth('1️⃣'), 2);
    assert.equal(displayWidth('…'), 1);
  });
});

describe('cutToWidth', () => {
  it('leaves a text that fits, and cuts a longer one to the width with "…", never inside a character', () => {
    assert.equal(cutToWidth('Shop', 4), 'Shop');
    assert.equal(cutToWidth('Shops', 4), 'Sho…');
    assert.equal(cutToWidth('日本語の店', 6), '日本…', 'a wide character that would pass the width is left out');
    assert.equal(displayWidth(cutToWidth('日本語の店', 6)), 5);
    assert.equal(cutToWidth('👩‍💻👩‍💻👩‍💻', 5), '👩‍💻👩‍💻…');
    assert.equal(cutToWidth('Cafe\u0301 Cafe\u0301', 5), 'Cafe\u0301…', 'the accent stays with its letter');
  });
});

describe('printTable', () => {
  it('aligns columns by display width, with emoji, wide and decomposed names', () => {
    const lines = tableOf(['id', 'name', 'api key'], [
      ['1', 'Café', '…0001'],
      ['2', 'Cafe\u0301', '…0002'],
      ['3', '❤️ fans', '…0003'],
      ['4', '日本の店', '…0004'],
      ['5', '👩‍💻 team', '…0005'],
    ]);
    const keyColumns = lines.map((line) => displayWidth(line.slice(0, line.indexOf(line.includes('api key') ? 'api key' : '…'))));
    assert.equal(new Set(keyColumns).size, 1, `the third column starts at the same column on every line:\n${lines.join('\n')}`);
  });

  it('is not stretched by a long name: names are cut to NAME_COLUMN_WIDTH columns with "…"', () => {
    assert.equal(NAME_COLUMN_WIDTH, 40);
    const long = '🌱'.repeat(200);
    const lines = tableOf(['id', 'name', 'created'], [['1', cutToWidth(long, NAME_COLUMN_WIDTH), '2024-01-01'], ['2', 'Shop', '2024-01-02']]);
    for (const line of lines) assert.ok(displayWidth(line) <= 2 + 2 + NAME_COLUMN_WIDTH + 2 + 10, line);
    assert.equal(lines[1], `1   ${'🌱'.repeat(19)}…  2024-01-01`, 'cut to 39 columns: one more emoji would pass 40');
    assert.equal(lines[2], `2   Shop${' '.repeat(35)}  2024-01-02`);
  });
});
