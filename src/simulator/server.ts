import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TrackRegion } from '../customerio/track-items.js';
import type { FaultSettings } from './faults.js';
import { handleInspection } from './inspection.js';
import type { SimulatorOptions } from './options.js';
import { metaErrorReply, type SimReply } from './replies.js';
import type { Counters, LoggedRequest } from './request-log.js';
import { SimulatorCore, type ResolvedWorkspace } from './simulator-core.js';
import type { ActivityEntry, StoredEvent, StoredPerson } from './workspace-state.js';

export type PersonLookup = { id: string } | { email: string } | { cio_id: string };

/**
 * A running simulator's URLs and what it holds, read in-process: the data of the inspection API
 * (`GET /_sim/...`) without HTTP. `siteId` defaults to the first workspace; an unknown one throws.
 */
export interface SimulatorView {
  /** The root URL: stands in for both regions (what AMPSTREAM_CUSTOMERIO_URL points at). */
  url: string;
  /** The US and EU virtual hosts: region mismatches answer as Customer.io does. */
  usUrl: string;
  euUrl: string;
  /** The workspaces it accepts, keys included (`GET /_sim/workspaces` masks them). */
  workspaces: readonly ResolvedWorkspace[];
  /** `GET /_sim/people`. */
  people(siteId?: string): Array<StoredPerson & { event_count: number }>;
  /** `GET /_sim/people/{cio_id}`, and by `id` or `email` too. */
  person(lookup: PersonLookup, siteId?: string): (StoredPerson & { events: StoredEvent[] }) | undefined;
  /** `GET /_sim/anonymous-events`: events not attached to a person, by anonymous_id. */
  anonymousEvents(siteId?: string): Record<string, StoredEvent[]>;
  /** `GET /_sim/activity`. */
  activity(siteId?: string): ActivityEntry[];
  /** `GET /_sim/requests`: the request log, newest last. */
  requests(): LoggedRequest[];
  /** `GET /_sim/counters`. */
  counters(): Counters;
  /** `GET /_sim/faults`. */
  faults(): FaultSettings;
}

/** A running simulator: its URLs, what it holds, and its controls. */
export interface CustomerIoSimulator extends SimulatorView {
  setFaults(settings: FaultSettings): void;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    if (size >= limit) continue; // drain the rest unread; the body is already over every limit
    chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

function send(response: ServerResponse, reply: SimReply): void {
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  response.end(reply.body);
}

function requireState<T>(value: T | undefined, siteId: string | undefined): T {
  if (value === undefined) throw new Error(`no workspace with site_id ${JSON.stringify(siteId)}`);
  return value;
}

/** Starts the Customer.io Track API simulator on `host:port` (port 0 picks a free one). */
export async function startCustomerIoSimulator(options: SimulatorOptions = {}): Promise<CustomerIoSimulator> {
  let baseUrl = '';
  const regionUrl = (region: TrackRegion) => `${baseUrl}/${region}`;
  const core = new SimulatorCore(options, regionUrl);
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    void (async () => {
      try {
        const body = await readBody(request, core.bodyReadLimit);
        const url = request.url ?? '/';
        const parsed = new URL(url, 'http://simulator');
        if (parsed.pathname === '/_sim' || parsed.pathname.startsWith('/_sim/')) {
          send(response, handleInspection(core, { method: request.method ?? 'GET', path: parsed.pathname, query: parsed.searchParams, body }));
          return;
        }
        const result = await core.handle({ method: request.method ?? 'GET', url, headers: request.headers, body });
        if (result.kind === 'reset') {
          request.socket.resetAndDestroy();
        } else if (result.kind === 'hang') {
          hanging.add(response);
          response.on('close', () => hanging.delete(response));
        } else {
          send(response, result.reply);
        }
      } catch (error) {
        if (!response.headersSent) send(response, metaErrorReply(500, `simulator error: ${error instanceof Error ? error.message : String(error)}`));
      }
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9100, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    url: baseUrl,
    usUrl: regionUrl('us'),
    euUrl: regionUrl('eu'),
    workspaces: core.workspaces,
    people: (siteId) => requireState(core.state(siteId), siteId).listPeople(),
    person: (lookup, siteId) => {
      const state = requireState(core.state(siteId), siteId);
      const [kind, value] = Object.entries(lookup)[0] as ['id' | 'email' | 'cio_id', string];
      const found = state.find({ kind, value });
      return found === undefined ? undefined : { ...structuredClone(found), events: state.eventsOf(found) };
    },
    anonymousEvents: (siteId) => requireState(core.state(siteId), siteId).listAnonymousEvents(),
    activity: (siteId) => requireState(core.state(siteId), siteId).listActivity(),
    requests: () => core.log.list(),
    counters: () => core.log.snapshot(),
    faults: () => core.faults.current(),
    setFaults: (settings) => core.setFaults(settings),
    reset: () => core.reset(),
    close: async () => {
      for (const response of hanging) response.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The read-only part of a running simulator, without its controls (faults, reset, close). */
export function simulatorView(simulator: SimulatorView): SimulatorView {
  return {
    url: simulator.url,
    usUrl: simulator.usUrl,
    euUrl: simulator.euUrl,
    workspaces: simulator.workspaces,
    people: (siteId) => simulator.people(siteId),
    person: (lookup, siteId) => simulator.person(lookup, siteId),
    anonymousEvents: (siteId) => simulator.anonymousEvents(siteId),
    activity: (siteId) => simulator.activity(siteId),
    requests: () => simulator.requests(),
    counters: () => simulator.counters(),
    faults: () => simulator.faults(),
  };
}
