/**
 * How filter clauses read property values: what counts as "no value", as a number, and as text.
 * Numbers compare numerically when both sides are numeric (a number, or a string written as a
 * decimal number); otherwise values compare as text, booleans as "true"/"false".
 */

/** A decimal number as text: `42`, `-3.5`, `.5`, `1e3`. Not `""`, `0x10`, `Infinity` or ` 1`. */
const NUMERIC_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Missing, null, the empty string and the empty list all mean "no value" (Amplitude's `(none)`). */
export function isNoValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The number a value stands for, if it is a finite number or a numeric string. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

/** A scalar as text (booleans as "true"/"false"); undefined for no value, lists and objects. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** Whether a property value equals a clause value: numerically when both are numeric, else as text. */
export function scalarEquals(actual: unknown, expected: unknown): boolean {
  const actualNumber = numericValue(actual);
  const expectedNumber = numericValue(expected);
  if (actualNumber !== undefined && expectedNumber !== undefined) return actualNumber === expectedNumber;
  const actualText = scalarText(actual);
  return actualText !== undefined && actualText === scalarText(expected);
}
