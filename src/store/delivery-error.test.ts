import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDeliveryError, readStoredItem, storedDeliveryError } from './delivery-error.js';

describe('stored delivery errors', () => {
  it('round-trip as JSON objects', () => {
    const error = { status: 400, cause: 'batch_refused', message: 'another item of its batch was refused; sent again' };
    assert.deepEqual(readDeliveryError(storedDeliveryError(error)), error);
    assert.equal(readDeliveryError(null), null);
  });

  it('read text that is not a JSON object (rows of older versions) as {message}, never throwing', () => {
    for (const text of ['sent again: another item of its batch was refused', '', '404', '"quoted"', '[1]', 'null', '{"cut']) {
      assert.deepEqual(readDeliveryError(text), { message: text }, text);
    }
  });

  it('read items as JSON, or as the text when it is not JSON', () => {
    assert.deepEqual(readStoredItem('{"type":"event"}'), { type: 'event' });
    assert.equal(readStoredItem('{"cut'), '{"cut');
    assert.equal(readStoredItem(null), null);
  });
});
