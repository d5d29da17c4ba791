import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { TrackClient } from 'customerio-node';
import { simulatorOptionsFromFlags } from '../src/cli/simulate-command.js';

describe('ampstream simulate customerio', () => {
  it('starts the simulator, prints its URLs and masked workspaces, and serves customerio-node', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'simulate', 'customerio', '--port', '0', '--workspace', 'cli-site:cli-secret-key:us'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('rate limit:')) {
        const [chunk] = (await once(child.stdout, 'data')) as [string];
        output += chunk;
      }
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      assert.ok(url !== undefined, output);
      assert.match(output, /site_id cli-site {2}region us {2}api_key \*\*\*\*-key/);
      assert.ok(!output.includes('cli-secret-key'));

      const cio = new TrackClient('cli-site', 'cli-secret-key', { url: `${url}/api/v1`, retry: { maxRetries: 0 } });
      assert.deepEqual(await cio.identify('user-1', { plan: 'pro' }), {});
      const people = (await (await fetch(`${url}/_sim/people`)).json()) as { people: Array<{ id: string; attributes: { plan: string } }> };
      assert.deepEqual(people.people.map((p) => [p.id, p.attributes.plan]), [['user-1', 'pro']]);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

describe('simulatorOptionsFromFlags', () => {
  const config = JSON.stringify({ port: 9200, rate_limit_per_second: 50, workspaces: [{ site_id: 'f', api_key: 'k' }], faults: { latencyMs: 1 } });

  it('reads the config file, then lets flags win', () => {
    const options = simulatorOptionsFromFlags({ config: 'sim.json', port: '0', rate: '7', workspace: ['a:b:eu'] }, () => config);
    assert.deepEqual(options, { port: 0, rateLimitPerSecond: 7, workspaces: [{ siteId: 'a', apiKey: 'b', region: 'eu' }], faults: { latencyMs: 1 } });
    assert.deepEqual(simulatorOptionsFromFlags({ config: 'sim.json' }, () => config).workspaces, [{ siteId: 'f', apiKey: 'k', region: 'us' }]);
  });

  it('refuses bad flags and unreadable config files with a message', () => {
    assert.throws(() => simulatorOptionsFromFlags({ port: 'x' }), /--port/);
    assert.throws(() => simulatorOptionsFromFlags({ rate: '0' }), /--rate/);
    assert.throws(() => simulatorOptionsFromFlags({ config: 'sim.json' }, () => '{oops'), /cannot read sim\.json/);
    assert.throws(() => simulatorOptionsFromFlags({ config: 'sim.json' }, () => '{"port":"x"}'), /port/);
  });
});

describe('ampstream simulate customerio with bad flags', () => {
  it('exits 2 with a message naming the flag, and never prints the key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'simulate', 'customerio', '--workspace', 'site:hidden-key:mars'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /region must be us or eu/);
    assert.ok(!stderr.includes('hidden-key'));
  });
});
