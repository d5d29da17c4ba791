import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clauseHolds } from './clause-operators.js';
import type { ClauseValue, SyncOperator } from './sync-schema.js';

/** The values for which a clause holds, out of `actuals`. */
function holdsFor(op: SyncOperator, values: ClauseValue[], actuals: unknown[]): unknown[] {
  return actuals.filter((actual) => clauseHolds(op, actual, values));
}

const NO_VALUES = [undefined, null, '', []];

describe('is / is not', () => {
  it('equals any of the values, strings case-sensitively', () => {
    assert.deepEqual(holdsFor('is', ['pro', 'team'], ['pro', 'team', 'Pro', 'free', ' pro', undefined]), ['pro', 'team']);
    assert.deepEqual(holdsFor('is not', ['pro', 'team'], ['pro', 'team', 'Pro', 'free', undefined]), ['Pro', 'free', undefined]);
  });

  it('compares numbers numerically when both sides are numeric', () => {
    assert.deepEqual(holdsFor('is', [42], [42, 42.0, '42', '42.0', '4.2e1', 43, '42abc', ' 42']), [42, 42.0, '42', '42.0', '4.2e1']);
    assert.deepEqual(holdsFor('is', ['0.5'], [0.5, '.5', '0.50', 5]), [0.5, '.5', '0.50']);
    assert.deepEqual(holdsFor('is', ['42'], ['042', 'forty-two']), ['042'], 'digit strings are numbers when both sides are numeric');
  });

  it('compares booleans as "true" and "false"', () => {
    assert.deepEqual(holdsFor('is', [true], [true, 'true', false, 'True', 1]), [true, 'true']);
    assert.deepEqual(holdsFor('is', ['false'], [false, 'false', 0, null]), [false, 'false']);
  });

  it('never equals a list or an object to a value', () => {
    assert.deepEqual(holdsFor('is', ['a'], [['a'], { a: 'a' }]), []);
    assert.deepEqual(holdsFor('is not', ['a'], [['a'], { a: 'a' }]), [['a'], { a: 'a' }]);
  });

  it('(none) matches missing, null, empty string and empty list; is not (none) means "has a value"', () => {
    assert.deepEqual(holdsFor('is', ['(none)'], [...NO_VALUES, ' ', 0, false, {}, ['x']]), NO_VALUES);
    assert.deepEqual(holdsFor('is not', ['(none)'], [...NO_VALUES, ' ', 0, false, ['x']]), [' ', 0, false, ['x']]);
    assert.deepEqual(holdsFor('is', ['(none)', 'pro'], [undefined, 'pro', 'free']), [undefined, 'pro']);
  });
});

describe('contains / does not contain', () => {
  it('finds a substring ignoring case, in strings, numbers and booleans', () => {
    assert.deepEqual(holdsFor('contains', ['PRICING'], ['/pricing/team', 'Pricing', 'price', 7]), ['/pricing/team', 'Pricing']);
    assert.deepEqual(holdsFor('contains', ['ü', '42'], ['Über', 'MUNCHEN', '1423', 142, true]), ['Über', '1423', 142]);
    assert.deepEqual(holdsFor('contains', ['ru'], [true, false]), [true]);
  });

  it('never finds anything in no value, a list or an object; does not contain is its exact negation', () => {
    assert.deepEqual(holdsFor('contains', ['a'], [...NO_VALUES, ['a'], { a: 1 }]), []);
    assert.deepEqual(holdsFor('does not contain', ['a'], [undefined, ['a'], 'b', 'A']), [undefined, ['a'], 'b']);
  });

  it('an empty value is contained in every text', () => {
    assert.deepEqual(holdsFor('contains', [''], ['', 'x', null]), ['', 'x']);
  });
});

describe('less / less or equal / greater / greater or equal', () => {
  const actuals = [9, 10, 11, '9.5', '10', 'ten', '', null, undefined, true, [5], '1e1'];

  it('compares numbers and numeric strings numerically', () => {
    assert.deepEqual(holdsFor('less', [10], actuals), [9, '9.5']);
    assert.deepEqual(holdsFor('less or equal', ['10'], actuals), [9, 10, '9.5', '10', '1e1']);
    assert.deepEqual(holdsFor('greater', [10], actuals), [11]);
    assert.deepEqual(holdsFor('greater or equal', [10], actuals), [10, 11, '10', '1e1']);
  });

  it('never matches a value that is not numeric, on either side', () => {
    assert.deepEqual(holdsFor('less', ['ten'], [1, 'a']), []);
    assert.deepEqual(holdsFor('greater', [-1], ['', null, true, 'abc']), []);
    assert.deepEqual(holdsFor('greater', [-1], [Number.NaN, Number.POSITIVE_INFINITY]), []);
  });
});

describe('set is / set is not', () => {
  it('matches a list with any element among the values', () => {
    assert.deepEqual(
      holdsFor('set is', ['beta', 'vip'], [['beta'], ['a', 'vip'], ['a'], ['BETA'], [['beta']]]),
      [['beta'], ['a', 'vip']],
    );
    assert.deepEqual(holdsFor('set is not', ['beta', 'vip'], [['beta'], ['a'], []]), [['a'], []]);
  });

  it('compares elements like is (numbers numerically) and treats a scalar as a one-element list', () => {
    assert.deepEqual(holdsFor('set is', [2], [[1, '2'], [1, 3], 2, '2.0', 'x']), [[1, '2'], 2, '2.0']);
  });

  it('(none) matches an empty or missing list', () => {
    assert.deepEqual(holdsFor('set is', ['(none)'], [[], undefined, null, '', ['x'], 'x']), [[], undefined, null, '']);
    assert.deepEqual(holdsFor('set is not', ['(none)'], [[], undefined, ['x']]), [['x']]);
  });
});

describe('glob match / glob does not match', () => {
  it('matches * and ? against the value as text', () => {
    assert.deepEqual(holdsFor('glob match', ['/blog/*', '/docs/v?/*'], ['/blog/', '/blog/post', '/docs/v2/intro', '/docs/v10/x', '/Blog/x']), [
      '/blog/',
      '/blog/post',
      '/docs/v2/intro',
    ]);
    assert.deepEqual(holdsFor('glob match', ['4?'], [42, '42', 4, true]), [42, '42']);
  });

  it('never matches no value, a list or an object; does not match is its exact negation', () => {
    assert.deepEqual(holdsFor('glob match', ['*'], [...NO_VALUES, ['x'], { x: 1 }]), ['']);
    assert.deepEqual(holdsFor('glob does not match', ['a*'], ['abc', 'xa', undefined]), ['xa', undefined]);
  });
});
