import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmpstreamError } from '../errors.js';
import { resolvePeriod } from './metrics-summary.js';

const NOW = Date.UTC(2027, 0, 15);

/** The 400 a CUSTOM range gives: its field and message. */
function refusal(start: string, end: string): { field: string | undefined; message: string } {
  try {
    resolvePeriod('CUSTOM', NOW, start, end);
  } catch (error) {
    assert.ok(error instanceof AmpstreamError);
    return { field: error.field, message: error.message };
  }
  assert.fail(`${start} … ${end} was taken`);
}

describe('resolvePeriod: CUSTOM dates', () => {
  it('takes every real day, February 29 of a leap year included, in any offset', () => {
    assert.equal(resolvePeriod('CUSTOM', NOW, '2026-12-31T22:59:59Z', '2027-01-01T00:00:00+01:00').end, Date.UTC(2026, 11, 31, 23));
    assert.equal(resolvePeriod('CUSTOM', Date.UTC(2028, 2, 1), '2028-02-29T00:00:00Z', '2028-03-01T00:00:00Z').start, Date.UTC(2028, 1, 29));
  });

  it('refuses a date or time that is not on the calendar instead of rolling it over', () => {
    assert.deepEqual(refusal('2026-11-31T00:00:00Z', '2027-01-01T00:00:00Z'), {
      field: 'start',
      message: 'start is not a date on the calendar: 2026-11 has days 01 to 30',
    });
    assert.deepEqual(refusal('2026-12-01T00:00:00Z', '2027-02-29T00:00:00Z'), {
      field: 'end',
      message: 'end is not a date on the calendar: 2027-02 has days 01 to 28',
    });
    assert.equal(refusal('2026-13-01T00:00:00Z', '2027-01-01T00:00:00Z').message, 'start is not a date on the calendar: months go from 01 to 12');
    assert.equal(refusal('2026-12-01T24:00:00Z', '2027-01-01T00:00:00Z').message, 'start is not a date on the calendar: hours go from 00 to 23');
    assert.equal(refusal('2026-12-01T23:60:00Z', '2027-01-01T00:00:00Z').message, 'start is not a date on the calendar: minutes and seconds go from 00 to 59');
  });

  it('says how to send a + when the query string turned it into a space', () => {
    assert.match(refusal('2026-12-01T07:00:00 01:00', '2027-01-01T00:00:00Z').message, /a \+ in a query string must be sent as %2B/);
    assert.doesNotMatch(refusal('yesterday', '2027-01-01T00:00:00Z').message, /%2B/);
  });
});
