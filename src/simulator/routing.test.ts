import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeTrackRequest } from './routing.js';

describe('routeTrackRequest', () => {
  it('matches each Track route on the root and the region hosts', () => {
    assert.deepEqual(routeTrackRequest('POST', '/api/v2/batch'), { kind: 'route', route: 'batch', host: 'any', path: '/api/v2/batch' });
    assert.deepEqual(routeTrackRequest('POST', '/eu/api/v2/entity'), { kind: 'route', route: 'entity', host: 'eu', path: '/api/v2/entity' });
    assert.equal((routeTrackRequest('GET', '/us/auth') as { route: string }).route, 'auth');
    assert.equal((routeTrackRequest('POST', '/api/v1/events') as { route: string }).route, 'anonymous_event');
    assert.equal((routeTrackRequest('DELETE', '/api/v1/customers/u1') as { route: string }).route, 'delete_person');
  });

  it('decodes an identifier segment exactly once', () => {
    assert.equal((routeTrackRequest('PUT', '/api/v1/customers/a%2Fb%20c%2B') as { identifier: string }).identifier, 'a/b c+');
    assert.equal((routeTrackRequest('PUT', '/api/v1/customers/a%252F') as { identifier: string }).identifier, 'a%2F');
    assert.equal((routeTrackRequest('POST', '/api/v1/customers/x%40y.co/events') as { identifier: string }).identifier, 'x@y.co');
  });

  it('finds no route for a raw slash, an empty segment or bad percent-encoding', () => {
    assert.equal(routeTrackRequest('PUT', '/api/v1/customers/a/b').kind, 'not_found');
    assert.equal(routeTrackRequest('PUT', '/api/v1/customers/').kind, 'not_found');
    assert.equal(routeTrackRequest('PUT', '/api/v1/customers/%E0%A4%A').kind, 'not_found');
    assert.equal(routeTrackRequest('GET', '/usa/auth').kind, 'not_found');
  });

  it('tells a wrong method apart from an unknown path', () => {
    assert.deepEqual(routeTrackRequest('POST', '/api/v1/customers/u1'), {
      kind: 'method_not_allowed',
      host: 'any',
      path: '/api/v1/customers/u1',
      allow: 'PUT, DELETE',
    });
  });
});
