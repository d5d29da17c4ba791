/**
 * The do-it-yourself baseline of the delivery benchmark: what a user would write instead of
 * ampstream. Each event becomes one customerio-node `track()` call (its own HTTP request, with the
 * client's default retries on 429 and 5xx), 10 calls in flight, for a fixed time. Prints one JSON
 * line: events sent, delivered and failed, and the seconds it ran.
 *
 *   node --import tsx bench/diy-forwarder.ts '{"simulator":"http://127.0.0.1:9100","siteId":"…","apiKey":"…","seconds":20,"persons":20000}'
 */
import { TrackClient } from 'customerio-node';
import { Workload } from './workload.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { simulator: string; siteId: string; apiKey: string; seconds: number; persons: number };
const client = new TrackClient(spec.siteId, spec.apiKey, { url: `${spec.simulator}/api/v1` });
const workload = new Workload({ users: spec.persons, seed: 9 });
const deadline = performance.now() + spec.seconds * 1000;
let sent = 0;
let delivered = 0;
let failed = 0;

async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    const event = workload.event(Date.now());
    sent++;
    try {
      await client.track(event.user_id as string, {
        name: event.event_type as string,
        data: event.event_properties as Record<string, unknown>,
        timestamp: Math.floor((event.time as number) / 1000),
      });
      delivered++;
    } catch {
      failed++;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: 10 }, worker));
process.stdout.write(`${JSON.stringify({ sent, delivered, failed, seconds: (performance.now() - started) / 1000 })}\n`);
