/**
 * npm run bench:delivery: delivery against Customer.io's rate limit, and against the do-it-yourself
 * baseline, in one run.
 *
 * - The simulator enforces 100 requests/s. ampstream builds a backlog of events for 20,000 persons
 *   with delivery off, restarts with delivery on, and drains it: delivered items/s against the
 *   capacity (100 requests/s × items per full batch), and the 429s the simulator answered.
 * - Once with the default batch cap (1,000 items) and once with 100 items a batch, where the rate
 *   limit rather than CPU is what binds.
 * - The baseline: the same kind of events through bench/diy-forwarder.ts (customerio-node's track(),
 *   one request per event), against the same limit, for a fixed time.
 */
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sendEvents } from './backlog.js';
import { admin, BENCH_WORKSPACE, benchDir, createEventSync, fmt, machine, ROOT, rssMb, startServer, startSimulator, table, writeSection } from './harness.js';

const EVENTS = Number(process.env.BENCH_DELIVERY_EVENTS ?? 500_000);
const PERSONS = 20_000;
const API_KEY = 'bench-delivery-key-1';
const RATE = 100;
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SEC ?? 20);

interface SimCounters {
  requests: number;
  workspaces: Record<string, { requests: number; rate_limited: number; operations_accepted: number }>;
}

interface DrainResult {
  batchCap: number;
  itemsPerSecond: number;
  seconds: number;
  requests: number;
  throttled: number;
  itemsPerRequest: number;
  fullBatch: number;
  capacity: number;
  maxRssMb: number;
  backlogSeconds: number;
}

async function drain(batchCap: number): Promise<DrainResult> {
  const sim = await startSimulator(RATE);
  const dir = benchDir('delivery');
  const env = { AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_BATCH_MAX_ITEMS: String(batchCap), AMPSTREAM_DELIVERY_RATE: String(RATE) };
  try {
    let server = await startServer(dir, ['--delivery', 'off'], env);
    const syncId = await createEventSync(server.url, API_KEY);
    const backlogMs = await sendEvents(server.url, API_KEY, EVENTS, PERSONS, batchCap);
    const sample = await admin<{ deliveries: { item: unknown }[] }>(server.url, 'GET', `/api/syncs/${syncId}/deliveries?status=pending&limit=200`);
    const itemBytes = sample.deliveries.reduce((sum, d) => sum + Buffer.byteLength(JSON.stringify(d.item)), 0) / sample.deliveries.length;
    await server.stop();

    server = await startServer(dir, [], env);
    const started = performance.now();
    let maxRss = 0;
    for (;;) {
      maxRss = Math.max(maxRss, rssMb(server.pid));
      const view = await admin<{ deliveries: { pending: number; delivered: number } }>(server.url, 'GET', `/api/syncs/${syncId}`);
      if (view.deliveries.pending === 0) {
        if (view.deliveries.delivered !== EVENTS) throw new Error(`delivered ${view.deliveries.delivered} of ${EVENTS}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    await server.stop();
    const counters = (await (await fetch(`${sim.url}/_sim/counters`)).json()) as SimCounters;
    const ws = counters.workspaces[BENCH_WORKSPACE.siteId] ?? { requests: 0, rate_limited: 0, operations_accepted: 0 };
    const accepted = ws.requests - ws.rate_limited;
    const itemsPerRequest = ws.operations_accepted / Math.max(1, accepted);
    // a full batch: the cap, unless the 500,000-byte body limit comes first
    const fullBatch = Math.min(batchCap, Math.floor(500_000 / (itemBytes + 1)));
    return {
      batchCap,
      itemsPerSecond: EVENTS / seconds,
      seconds,
      requests: ws.requests,
      throttled: ws.rate_limited,
      itemsPerRequest,
      fullBatch,
      capacity: RATE * fullBatch,
      maxRssMb: maxRss,
      backlogSeconds: backlogMs / 1000,
    };
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The do-it-yourself forwarder: events/s that reach the simulator through customerio-node, one request per event. */
async function baseline(): Promise<{ eventsPerSecond: number; throttled: number; lost: number; sent: number }> {
  const sim = await startSimulator(RATE);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'diy-forwarder.ts'), JSON.stringify({ simulator: sim.url, ...BENCH_WORKSPACE, seconds: BASELINE_SECONDS, persons: PERSONS })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { delivered: number; failed: number; sent: number; seconds: number };
    const counters = (await (await fetch(`${sim.url}/_sim/counters`)).json()) as SimCounters;
    const ws = counters.workspaces[BENCH_WORKSPACE.siteId] ?? { requests: 0, rate_limited: 0, operations_accepted: 0 };
    return { eventsPerSecond: result.delivered / result.seconds, throttled: ws.rate_limited, lost: result.failed, sent: result.sent };
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const runs: DrainResult[] = [];
  for (const cap of [1000, 100]) {
    const run = await drain(cap);
    console.log(`batch cap ${cap}`, run);
    runs.push(run);
  }
  const diy = await baseline();
  console.log('do-it-yourself baseline', diy);
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  const [byDefault, small] = runs as [DrainResult, DrainResult];
  const rows: string[][] = [];
  for (const run of runs) {
    const ratio = run.itemsPerSecond / run.capacity;
    rows.push([`delivered items/s, batch cap ${run.batchCap} (${fmt(run.itemsPerRequest)} items a request)`, fmt(run.itemsPerSecond), '', '']);
    rows.push([`  capacity: ${RATE} requests/s × ${run.fullBatch} items a full batch`, fmt(run.capacity), '', '']);
    rows.push(['  ratio to capacity', fmt(ratio, 2), '≥ 0.9', check(ratio >= 0.9)]);
    rows.push(['  429s answered by the simulator', String(run.throttled), '0', check(run.throttled === 0)]);
    rows.push([`  drain time for ${fmt(EVENTS)} events (backlog built in ${fmt(run.backlogSeconds, 1)} s)`, `${fmt(run.seconds, 1)} s`, '', '']);
    rows.push(['  server RSS while draining, max (MB)', fmt(run.maxRssMb), '', '']);
  }
  const best = Math.max(byDefault.itemsPerSecond, small.itemsPerSecond);
  rows.push(['do-it-yourself baseline (customerio-node track per event), events/s', fmt(diy.eventsPerSecond, 1), '', '']);
  rows.push([`  its 429s / events lost in ${BASELINE_SECONDS} s`, `${diy.throttled} / ${diy.lost}`, '', '']);
  rows.push(['ampstream over the baseline (default settings)', `${fmt(byDefault.itemsPerSecond / diy.eventsPerSecond)}×`, '≥ 50×', check(byDefault.itemsPerSecond / diy.eventsPerSecond >= 50)]);
  const notes: string[] = [];
  for (const run of runs) {
    if (run.itemsPerSecond / run.capacity < 0.9) {
      notes.push(
        `batch cap ${run.batchCap}: at ${fmt(run.itemsPerRequest)} items a request the limit allows ${fmt(run.capacity)} items/s, more than this machine's two cores ` +
          `can move: ampstream reads, sends and records each item (about ${fmt(1e6 / run.itemsPerSecond)} µs an item with the simulator, which parses and ` +
          'stores every item, running on the same cores). With smaller batches the rate limit is what binds (the other run), and ampstream keeps it full.',
      );
    }
    if (run.throttled > 0) notes.push(`batch cap ${run.batchCap}: the simulator answered ${run.throttled} 429s; ampstream sends at most the configured rate, so these come from bursts across the two processes' clocks.`);
  }
  const report = `## Delivery vs the rate limit, and vs the do-it-yourself baseline (\`npm run bench:delivery\`)

Machine: ${machine()}. The simulator (its own process) enforces ${RATE} requests/s for the
workspace. ampstream (built, its own process) first takes ${fmt(EVENTS)} events of ${fmt(PERSONS)}
persons with delivery off (one sync, events only, from a separate load process), then restarts
with delivery on and drains them. Capacity is ${RATE} requests/s times the items of a full batch.
The baseline forwards the same kind of events with customerio-node's \`track()\` (one request per
event, as a hand-written forwarder would) against the same limit for ${BASELINE_SECONDS} s.
Best delivery rate seen: ${fmt(best)} items/s.

${table(['figure', 'measured', 'target', ''], rows)}

${notes.length > 0 ? `What limits the targets not met:\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n` : ''}Reproduce: \`npm run bench:delivery\` (\`BENCH_DELIVERY_EVENTS\`, \`BENCH_BASELINE_SEC\` change the sizes).`;
  console.log(`\n${report}\n`);
  writeSection('delivery', report);
}

await main();
