import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createInstance, Identify } from '@amplitude/analytics-node';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, tempDir } from './helpers/service.js';

let server: ServerProcess;
let apiKey: string;
const dataDir = tempDir('ampstream-sdk-');

async function admin(path: string): Promise<any> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return response.json();
}

before(async () => {
  server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN });
  const match = /API key \(shown once\): (\S+)/.exec(server.stderr());
  assert.ok(match, 'the first start prints the first project key');
  apiKey = match[1] as string;
});

after(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the official @amplitude/analytics-node SDK against ampstream', () => {
  it('tracks, identifies with several operations, and is told which event was refused', async () => {
    const amplitude = createInstance();
    await amplitude.init(apiKey, {
      serverUrl: `${server.url}/2/httpapi`,
      flushIntervalMillis: 20,
      flushQueueSize: 50,
      flushMaxRetries: 2,
      logLevel: 0,
    }).promise;

    const first = await amplitude.track('Button Clicked', { color: 'red', size: 3 }, { user_id: 'sdk-user-1', device_id: 'sdk-device-1' }).promise;
    assert.equal(first.code, 200, first.message);

    const identify = new Identify()
      .set('plan', 'pro')
      .setOnce('first_seen', 'web')
      .add('logins', 2)
      .append('tags', 'beta')
      .prepend('history', 'signup')
      .postInsert('badges', 'early')
      .preInsert('roles', 'admin');
    const identified = await amplitude.identify(identify, { user_id: 'sdk-user-1' }).promise;
    assert.equal(identified.code, 200, identified.message);

    const second = new Identify().add('logins', 1).remove('tags', 'beta').unset('history').setOnce('first_seen', 'ios');
    assert.equal((await amplitude.identify(second, { user_id: 'sdk-user-1' }).promise).code, 200);

    // A user_id shorter than 5 characters: the server names it in events_with_invalid_id_lengths,
    // the SDK drops that event alone with code 400.
    const [refused, accepted] = await Promise.all([
      amplitude.track('Too Short', undefined, { user_id: 'abc' }).promise,
      amplitude.track('Page Viewed', { path: '/pricing' }, { user_id: 'sdk-user-1' }).promise,
    ]);
    assert.equal(refused.code, 400);
    assert.equal(accepted.code, 200, accepted.message);
    await amplitude.flush().promise;

    const events = (await admin('/api/events?user_id=sdk-user-1&limit=100')).events;
    assert.deepEqual(
      events.map((e: any) => e.event_type),
      ['Button Clicked', '$identify', '$identify', 'Page Viewed'],
    );
    const [clicked, , , viewed] = events;
    assert.deepEqual(clicked.payload.event_properties, { color: 'red', size: 3 });
    assert.equal(clicked.device_id, 'sdk-device-1');
    assert.match(clicked.payload.library, /^amplitude-node-ts\//);
    assert.equal(clicked.insert_id_generated, false, 'the SDK sends an insert_id');
    assert.deepEqual(viewed.user_properties, { plan: 'pro', first_seen: 'web', logins: 3, tags: [], badges: ['early'], roles: ['admin'] });

    const profile = await admin('/api/projects/1/profiles?user_id=sdk-user-1');
    assert.deepEqual(profile.properties, { plan: 'pro', first_seen: 'web', logins: 3, tags: [], badges: ['early'], roles: ['admin'] });
    const refusedStored = (await admin('/api/events?user_id=abc')).events;
    assert.deepEqual(refusedStored, []);
  });

  it('sends through /batch too', async () => {
    const amplitude = createInstance();
    await amplitude.init(apiKey, { serverUrl: `${server.url}/batch`, flushIntervalMillis: 20, logLevel: 0 }).promise;
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => amplitude.track('Batch Event', { i }, { device_id: 'sdk-batch-device' }).promise),
    );
    assert.ok(results.every((r) => r.code === 200));
    const events = (await admin('/api/events?device_id=sdk-batch-device&limit=100')).events;
    assert.equal(events.length, 25);
    assert.deepEqual(events.map((e: any) => e.payload.event_properties.i), Array.from({ length: 25 }, (_, i) => i));
    assert.ok(events.every((e: any) => e.source === 'batch'));
  });

  it('drops a whole batch sent with an unknown API key, as Amplitude\'s "Invalid API key" makes it', async () => {
    const amplitude = createInstance();
    await amplitude.init('not-a-real-key-000', { serverUrl: `${server.url}/2/httpapi`, flushIntervalMillis: 20, logLevel: 0, flushMaxRetries: 5 }).promise;
    const result = await amplitude.track('Nope', undefined, { user_id: 'sdk-user-2' }).promise;
    assert.equal(result.code, 400);
    assert.match(result.message, /Invalid API key/);
  });
});
