/**
 * npm run demo [-- --users N --seed N]: ampstream end to end on this machine. Starts the Customer.io
 * simulator and ampstream as child processes (free ports, a temporary data directory), creates a
 * project and a sync, sends a seeded synthetic dataset through the official Amplitude Node SDK,
 * waits until the sync has nothing pending, and reports what arrived next to the sync's counts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { AdminConnection } from '../src/cli/admin-client.js';
import { generateDataset } from './dataset.js';
import { cleanUpOnExit, startAmpstream, stopEverything, temporaryDirectory } from './processes.js';
import { readObserved, sampleUser } from './observed.js';
import { checkAgreement, formatReport, readSimulator } from './report.js';
import { sendWithSdk } from './sdk-sender.js';
import { countStoredEvents, createProjectAndSync, deliveryCounts, waitUntilDrained } from './setup.js';

const SITE_ID = 'demo-site';
const SDK_INSTANCES = 6;
const SDK_BATCH = 500;
const DRAIN_TIMEOUT_MS = 90_000;

interface DemoOptions {
  users: number;
  seed: number;
}

function positiveInteger(value: string, flag: string, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) throw new Error(`${flag} must be an integer from 1 to ${max} (got ${JSON.stringify(value)})`);
  return parsed;
}

function demoOptions(argv: string[]): DemoOptions {
  const { values } = parseArgs({ args: argv, options: { users: { type: 'string', default: '2500' }, seed: { type: 'string', default: '42' } } });
  return { users: positiveInteger(values.users, '--users', 100_000), seed: positiveInteger(values.seed, '--seed', 2 ** 31) };
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function runDemo(options: DemoOptions): Promise<boolean> {
  const started = performance.now();
  const dataset = generateDataset({ ...options, now: Date.now() });
  say(`ampstream demo: ${options.users.toLocaleString('en-US')} users (seed ${options.seed}), ${dataset.expected.calls.toLocaleString('en-US')} SDK calls`);

  // Throwaway secrets for this run only; neither is ever printed.
  const workspace = { siteId: SITE_ID, apiKey: randomBytes(16).toString('hex') };
  const adminToken = randomBytes(24).toString('base64url');
  const dataDir = temporaryDirectory();
  const simulator = await startAmpstream(
    ['simulate', 'customerio', '--port', '0', '--host', '127.0.0.1', '--workspace', `${workspace.siteId}:${workspace.apiKey}:us`],
    'stdout',
    'rate limit:',
  );
  const server = await startAmpstream(
    ['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--customerio-url', simulator.url],
    'stderr',
    'point an Amplitude SDK at',
    { AMPSTREAM_ADMIN_TOKEN: adminToken, AMPSTREAM_LOG_LEVEL: 'warn' },
  );
  const connection: AdminConnection = { url: server.url, token: adminToken };
  const setup = await createProjectAndSync(connection, workspace);
  say(`  simulator  ${simulator.url}  (workspace ${SITE_ID}; people at ${simulator.url}/_sim/people)`);
  say(`  ampstream  ${server.url}  (data in ${dataDir})`);
  say(`  project ${setup.projectId} "Demo web app", sync ${setup.syncId} "${setup.syncName}": anonymous events on, Send Users on`);

  const sending = performance.now();
  say(`sending through ${SDK_INSTANCES} SDK instances, ${SDK_BATCH} events a request ...`);
  const sdk = await sendWithSdk(dataset.people, { apiKey: setup.projectKey, serverUrl: `${server.url}/2/httpapi`, instances: SDK_INSTANCES, batchSize: SDK_BATCH });
  say(`  sent in ${seconds(sending)} s`);

  const draining = performance.now();
  const before = await deliveryCounts(connection, setup.syncId);
  say(`waiting until the sync has nothing pending (${before.pending.toLocaleString('en-US')} pending now) ...`);
  await waitUntilDrained(connection, setup.syncId, DRAIN_TIMEOUT_MS);
  say(`  drained in ${seconds(draining)} s`);

  const figures = {
    sdk,
    stored: await countStoredEvents(connection, setup.projectId),
    deliveries: await deliveryCounts(connection, setup.syncId),
    simulator: await readSimulator(simulator.url, SITE_ID),
    observed: await readObserved(connection, setup.syncId, sampleUser(dataset.expected)),
  };
  const checks = checkAgreement(figures, dataset.expected);
  say('');
  say(formatReport(figures, dataset.expected, checks));
  say(`finished in ${seconds(started)} s`);
  return checks.every((c) => c.holds);
}

cleanUpOnExit();
try {
  const agreed = await runDemo(demoOptions(process.argv.slice(2)));
  process.exitCode = agreed ? 0 : 1;
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopEverything();
}
