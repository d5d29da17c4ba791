import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repeatedParameter } from '../query-params.js';
import { giveAKey, isEmptyLookup, lookupQuery, readTraceLookup, readTracePaging } from './trace-lookup.js';

describe('readTraceLookup', () => {
  it('takes each key once; an empty one is not given; keys combine', () => {
    assert.deepEqual(readTraceLookup({ insert_id: '', user_id: 'u-1', device_id: 'd-1', project_id: '3' }), { lookup: { user_id: 'u-1', device_id: 'd-1' } });
    assert.deepEqual(lookupQuery({ user_id: 'u-1', device_id: 'd-1' }), { userId: 'u-1', deviceId: 'd-1' });
    assert.ok(isEmptyLookup((readTraceLookup({ insert_id: '', device_id: '' }) as { lookup: object }).lookup));
  });

  it('keeps a value as given, spaces included, up to 1024 characters', () => {
    assert.deepEqual(readTraceLookup({ device_id: ' d-1 ' }), { lookup: { device_id: ' d-1 ' } });
    assert.deepEqual(readTraceLookup({ device_id: 'd'.repeat(1024) }), { lookup: { device_id: 'd'.repeat(1024) } });
  });

  it('names the key given more than once, or too long, in the words of the face asking', () => {
    assert.deepEqual(readTraceLookup({ device_id: ['a', 'b'] }), {
      problem: { field: 'device_id', message: 'device_id is given more than once; give it once (to trace several events, trace them one at a time)' },
    });
    const option = (key: string) => `--${key.replace('_', '-')}`;
    assert.deepEqual(readTraceLookup({ user_id: 'u'.repeat(1025) }, option), {
      problem: { field: 'user_id', message: '--user-id is 1025 characters long; ids are cut to 1024 characters when ingested, so no event has it' },
    });
    assert.equal(giveAKey(option), 'give --insert-id, --user-id or --device-id');
    assert.equal(giveAKey(), 'give insert_id, user_id or device_id');
  });

  it('finds a parameter a query string gives twice', () => {
    assert.equal(repeatedParameter({ device_id: 'a', limit: ['1', '2'] }, ['device_id', 'limit']), 'limit');
    assert.equal(repeatedParameter({ device_id: 'a', other: ['1', '2'] }, ['device_id', 'limit']), undefined, 'only the names asked about');
    assert.equal(repeatedParameter({ device_id: 'a', other: ['1', '2'] }), 'other', 'or any');
  });

  it('reads the paging: empty is not given, repeated or not a number is refused, without the look-up hint', () => {
    assert.deepEqual(readTracePaging({}), { paging: { limit: 20 } });
    assert.deepEqual(readTracePaging({ after: '', limit: '' }), { paging: { limit: 20 } });
    assert.deepEqual(readTracePaging({ after: '41', limit: '5' }), { paging: { after: 41, limit: 5 } });
    assert.deepEqual(readTracePaging({ limit: ['1', '2'] }), { problem: { field: 'limit', message: 'limit is given more than once; give it once' } });
    assert.equal((readTracePaging({ limit: '0' }) as { problem: { message: string } }).problem.message, 'limit must be a whole number from 1 to 100');
    assert.match((readTracePaging({ after: 'x' }, (p) => `--${p}`) as { problem: { message: string } }).problem.message, /^--after must be/);
  });
});
