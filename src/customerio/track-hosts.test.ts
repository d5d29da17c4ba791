import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicAuthorization, trackBaseUrl } from './track-hosts.js';

describe('trackBaseUrl', () => {
  it('uses Customer.io\'s host for each region', () => {
    assert.deepEqual(trackBaseUrl('us'), { origin: 'https://track.customer.io', pathPrefix: '' });
    assert.deepEqual(trackBaseUrl('eu'), { origin: 'https://track-eu.customer.io', pathPrefix: '' });
  });

  it('lets one override URL stand in for both regions, keeping its path without a trailing slash', () => {
    assert.deepEqual(trackBaseUrl('eu', 'http://127.0.0.1:9100'), { origin: 'http://127.0.0.1:9100', pathPrefix: '' });
    assert.deepEqual(trackBaseUrl('us', 'http://127.0.0.1:9100/us/'), { origin: 'http://127.0.0.1:9100', pathPrefix: '/us' });
  });
});

describe('basicAuthorization', () => {
  it('encodes site_id:api_key as UTF-8 base64', () => {
    assert.equal(basicAuthorization('site', 'kéy'), `Basic ${Buffer.from('site:kéy', 'utf8').toString('base64')}`);
  });
});
