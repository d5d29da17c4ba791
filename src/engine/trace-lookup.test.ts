import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { giveAKey, isEmptyLookup, lookupQuery, readTraceLookup, repeatedParameter } from './trace-lookup.js';

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
  });
});
