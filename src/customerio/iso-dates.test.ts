import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertIsoDates, parseStrictIsoDate } from './iso-dates.js';

describe('parseStrictIsoDate', () => {
  it('reads dates, datetimes and every zone form as unix seconds', () => {
    assert.equal(parseStrictIsoDate('2026-07-04'), 1783123200);
    assert.equal(parseStrictIsoDate('2025-06-01T00:00:00Z'), 1748736000);
    assert.equal(parseStrictIsoDate('2025-12-25T14:30:45+0530'), 1766653245);
    assert.equal(parseStrictIsoDate('2025-12-25T14:30:45+05:30'), 1766653245);
    assert.equal(parseStrictIsoDate('2025-11-30T23:59:59-08:00'), 1764575999);
    assert.equal(parseStrictIsoDate('2025-06-01 00:00'), 1748736000);
    assert.equal(parseStrictIsoDate('2025-06-01T00:00'), 1748736000);
  });

  it('treats a datetime without a zone as UTC', () => {
    assert.equal(parseStrictIsoDate('2025-06-01T12:00:00'), parseStrictIsoDate('2025-06-01T12:00:00Z'));
  });

  it('floors fractional seconds, for 1 to 9 digits', () => {
    assert.equal(parseStrictIsoDate('2025-06-01T00:00:00.9Z'), 1748736000);
    assert.equal(parseStrictIsoDate('2025-06-01T00:00:01.999999999Z'), 1748736001);
    assert.equal(parseStrictIsoDate('2025-06-01T00:00:00.1234567890Z'), undefined);
  });

  it('knows leap years and month lengths', () => {
    assert.equal(parseStrictIsoDate('2024-02-29'), 1709164800);
    assert.equal(parseStrictIsoDate('2025-02-29'), undefined);
    assert.equal(parseStrictIsoDate('2025-02-30'), undefined);
    assert.equal(parseStrictIsoDate('2000-02-29') !== undefined, true);
    assert.equal(parseStrictIsoDate('2100-02-29'), undefined);
    assert.equal(parseStrictIsoDate('2025-04-31'), undefined);
  });

  it('refuses what is not a strict, real ISO date', () => {
    for (const text of [
      '2025-13-45',
      '2025-00-10',
      '2025-01-00',
      '2025-06',
      '2025',
      '20250601',
      '1748736000',
      '2025-06-01T24:00:00Z',
      '2025-06-01T12:60Z',
      '2025-06-01T12:00:60Z',
      '2025-06-01T12Z',
      '2025-06-01T12:00:00+5:30',
      '2025-06-01Z',
      '2025-06-01t12:00:00z',
      '2025-06-01  12:00',
      ' 2025-06-01',
      '2025-06-01T12:00:00.Z',
      'June 1, 2025',
    ]) {
      assert.equal(parseStrictIsoDate(text), undefined, text);
    }
  });
});

describe('convertIsoDates', () => {
  it('converts inside objects and arrays, leaving the rest alone', () => {
    const input = { a: '2025-06-01', nested: { b: ['2025-06-01T00:00:00Z', 'x', 7] }, zip: '01234', n: null };
    const { value, converted } = convertIsoDates(input);
    assert.deepEqual(value, { a: 1748736000, nested: { b: [1748736000, 'x', 7] }, zip: '01234', n: null });
    assert.equal(converted, 2);
    assert.equal(input.a, '2025-06-01', 'the input is not modified');
  });

  it('keeps dates before 1970 as strings and converts the epoch itself', () => {
    assert.deepEqual(convertIsoDates(['1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '0075-01-01']).value, ['1969-12-31T23:59:59Z', 0, '0075-01-01']);
  });

  it('keeps digit-only, partial and invalid dates as they are', () => {
    assert.deepEqual(convertIsoDates({ a: '20250601', b: '2025-06', c: '2025-02-30' }).value, { a: '20250601', b: '2025-06', c: '2025-02-30' });
  });

  it('keeps a __proto__ key as plain data', () => {
    const input = JSON.parse('{"__proto__":{"at":"2025-06-01"}}') as Record<string, unknown>;
    const { value } = convertIsoDates(input);
    assert.deepEqual(Object.keys(value as object), ['__proto__']);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { at: 1748736000 });
  });
});
