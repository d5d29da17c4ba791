/** Building a delivery backlog for the benchmarks: events sent in /batch requests from this process. */
import { Workload } from './workload.js';

/** Sends `events` events of `persons` users in 1000-event /batch requests, `parallel` at a time; resolves with the ms it took. */
export async function sendEvents(url: string, apiKey: string, events: number, persons: number, seed: number, parallel = 2): Promise<number> {
  const workload = new Workload({ users: persons, seed });
  const started = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < events) {
      const count = Math.min(1000, events - sent);
      sent += count;
      const body = workload.body(apiKey, count);
      const reply = await fetch(`${url}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (reply.status !== 200) throw new Error(`backlog: ${reply.status} ${await reply.text()}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return performance.now() - started;
}
