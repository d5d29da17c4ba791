import { globMatch } from './glob.js';
import { isNoValue, numericValue, scalarEquals, scalarText } from './filter-values.js';
import { NONE_VALUE, type ClauseValue, type SyncOperator } from './sync-schema.js';

/** Operators that compare with exactly one number. */
export const NUMERIC_OPERATORS: ReadonlySet<SyncOperator> = new Set(['less', 'less or equal', 'greater', 'greater or equal']);

/** Operators for which the value `(none)` means "no value" (for the others it would be plain text). */
export const NONE_OPERATORS: ReadonlySet<SyncOperator> = new Set(['is', 'is not', 'set is', 'set is not']);

/** `is`: the value equals one of the clause's values; `(none)` matches no value. Lists and objects equal nothing else. */
function isOneOf(actual: unknown, values: readonly ClauseValue[]): boolean {
  return values.some((value) => (value === NONE_VALUE ? isNoValue(actual) : scalarEquals(actual, value)));
}

/** `contains`: the value as text holds one of the values as a substring, ignoring case. */
function containsOneOf(actual: unknown, values: readonly ClauseValue[]): boolean {
  const text = scalarText(actual)?.toLowerCase();
  return text !== undefined && values.some((value) => text.includes((scalarText(value) as string).toLowerCase()));
}

/** `set is`: a list property has an element equal to one of the values (a scalar counts as a one-element list); `(none)` matches an empty or missing list. */
function setHasOneOf(actual: unknown, values: readonly ClauseValue[]): boolean {
  const elements = Array.isArray(actual) ? actual : isNoValue(actual) ? [] : [actual];
  return values.some((value) => (value === NONE_VALUE ? elements.length === 0 : elements.some((element) => scalarEquals(element, value))));
}

function globMatchesOneOf(actual: unknown, values: readonly ClauseValue[]): boolean {
  const text = scalarText(actual);
  return text !== undefined && values.some((value) => globMatch(scalarText(value) as string, text));
}

/** `less` … `greater or equal`: both sides numeric, compared as numbers; anything else never matches. */
function compareNumbers(actual: unknown, values: readonly ClauseValue[], holds: (a: number, b: number) => boolean): boolean {
  const a = numericValue(actual);
  const b = numericValue(values[0]);
  return a !== undefined && b !== undefined && holds(a, b);
}

/**
 * Whether a property value satisfies a clause. Every negative operator (`is not`, `does not
 * contain`, `set is not`, `glob does not match`) is exactly the negation of its positive one, so
 * a missing property "does not contain" anything and `is not (none)` means "has a value".
 */
export function clauseHolds(op: SyncOperator, actual: unknown, values: readonly ClauseValue[]): boolean {
  switch (op) {
    case 'is':
      return isOneOf(actual, values);
    case 'is not':
      return !isOneOf(actual, values);
    case 'contains':
      return containsOneOf(actual, values);
    case 'does not contain':
      return !containsOneOf(actual, values);
    case 'less':
      return compareNumbers(actual, values, (a, b) => a < b);
    case 'less or equal':
      return compareNumbers(actual, values, (a, b) => a <= b);
    case 'greater':
      return compareNumbers(actual, values, (a, b) => a > b);
    case 'greater or equal':
      return compareNumbers(actual, values, (a, b) => a >= b);
    case 'set is':
      return setHasOneOf(actual, values);
    case 'set is not':
      return !setHasOneOf(actual, values);
    case 'glob match':
      return globMatchesOneOf(actual, values);
    case 'glob does not match':
      return !globMatchesOneOf(actual, values);
  }
}
