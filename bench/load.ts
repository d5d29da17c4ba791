/**
 * The load process of the ingest benchmark: drives a running ampstream with autocannon and prints
 * one JSON line with the results. Runs as its own process so the server's CPU is its own.
 *
 *   node --import tsx bench/load.ts '{"url":"http://127.0.0.1:8080","apiKey":"…","eventsPerRequest":1,
 *     "connections":64,"durationSec":10,"rate":0,"seed":1}'
 */
import autocannon from 'autocannon';
import { Workload } from './workload.js';

export interface LoadSpec {
  url: string;
  apiKey: string;
  eventsPerRequest: number;
  connections: number;
  durationSec: number;
  /** Requests per second across all connections; 0 means as fast as the server answers. */
  rate: number;
  seed: number;
  users?: number;
  /** Stamp every event with `event_properties.sent_ms` (the send time), for latency. */
  stampMs?: boolean;
}

export interface LoadResult {
  requests: number;
  requestsPerSec: number;
  eventsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const workload = new Workload({ users: spec.users ?? 10_000, seed: spec.seed });
  const result = await autocannon({
    url: `${spec.url}/2/httpapi`,
    method: 'POST',
    connections: spec.connections,
    duration: spec.durationSec,
    headers: { 'content-type': 'application/json' },
    ...(spec.rate > 0 ? { overallRate: spec.rate } : {}),
    requests: [
      {
        setupRequest: (request: { body?: string }) => {
          request.body = spec.stampMs === true ? workload.stampedBody(spec.apiKey, spec.eventsPerRequest) : workload.fastBody(spec.apiKey, spec.eventsPerRequest);
          return request;
        },
      },
    ],
  } as autocannon.Options);
  const out: LoadResult = {
    requests: result.requests.total,
    requestsPerSec: result.requests.total / spec.durationSec,
    eventsPerSec: ((result.requests.total - result.non2xx) * spec.eventsPerRequest) / spec.durationSec,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
