/**
 * `npm run demo` at a small size, so CI keeps it working: its report must agree, and it must leave
 * no process and no data behind, also when stopped with Ctrl-C.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/process.js';

interface DemoRun {
  stdout(): string;
  stderr(): string;
  exited: Promise<number | string>;
  interrupt(): void;
}

function runDemo(args: string[]): DemoRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'demo', 'main.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { stdout: () => out, stderr: () => err, exited, interrupt: () => child.kill('SIGINT') };
}

/** The simulator's and ampstream's URLs and the data directory, from the demo's first lines. */
function started(stdout: string): { simulator: string; ampstream: string; dataDir: string } {
  const simulator = /simulator {2}(http:\/\/\S+)/.exec(stdout)?.[1];
  const ampstream = /ampstream {2}(http:\/\/\S+)/.exec(stdout)?.[1];
  const dataDir = /data in (\S+)\)/.exec(stdout)?.[1];
  assert.ok(simulator && ampstream && dataDir, stdout);
  return { simulator, ampstream, dataDir };
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`);
    return false;
  } catch {
    return true;
  }
}

async function assertNothingLeft(stdout: string): Promise<void> {
  const { simulator, ampstream, dataDir } = started(stdout);
  assert.equal(existsSync(dataDir), false, 'the data directory is removed');
  assert.equal(await refusesConnections(simulator), true, 'the simulator is stopped');
  assert.equal(await refusesConnections(ampstream), true, 'ampstream is stopped');
}

describe('npm run demo', () => {
  it('sends a small dataset through the SDK, and the report agrees check by check', { timeout: 120_000 }, async () => {
    const demo = runDemo(['--users', '50', '--seed', '7']);
    assert.equal(await demo.exited, 0, `${demo.stdout()}\n${demo.stderr()}`);
    const out = demo.stdout();
    assert.match(out, /^ampstream demo: 50 users \(seed 7\), [\d,]+ SDK calls$/m);
    assert.match(out, /^agreement: all 15 checks hold$/m);
    assert.doesNotMatch(out, /FAIL/);
    assert.match(out, /^ {2}ok {3}events on each person at the simulator = that user's tracked events, anonymous browsing before login included: (\d+) of \1 users match$/m);
    assert.match(out, /^ {2}deliveries {5}delivered [\d,]+, dead 0, discarded 0, pending 0$/m);
    assert.match(out, /^finished in \d+\.\d s$/m);
    await assertNothingLeft(out);
  });

  it('on Ctrl-C stops its processes, removes its data and exits 130', { timeout: 120_000 }, async () => {
    const demo = runDemo(['--users', '2000']);
    while (!demo.stdout().includes('sending through')) {
      if ((await Promise.race([demo.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 50))])) !== 'running') break;
    }
    demo.interrupt();
    assert.equal(await demo.exited, 130, `${demo.stdout()}\n${demo.stderr()}`);
    assert.match(demo.stderr(), /SIGINT: stopping the demo's processes and removing its data/);
    await assertNothingLeft(demo.stdout());
  });

  it('refuses a bad size', { timeout: 60_000 }, async () => {
    const demo = runDemo(['--users', 'lots']);
    assert.equal(await demo.exited, 1);
    assert.match(demo.stderr(), /--users must be an integer from 1 to 100000 \(got "lots"\)/);
  });
});
