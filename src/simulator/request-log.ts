import type { HostRegion } from './routing.js';
import type { SimReply } from './replies.js';

/** One request as the simulator saw it; the Authorization header is never kept. */
export interface LoggedRequest {
  seq: number;
  /** Arrival time (ms) from the simulator's clock. */
  at: number;
  method: string;
  /** The path and query as sent, region prefix included. */
  url: string;
  host: HostRegion;
  site_id: string | null;
  /** `X-Retry-Count` as sent by customerio-node on retries. */
  retry_count: number | null;
  headers: Record<string, string>;
  body: string;
  /** The reply, or the fault that replaced it; null while pending. */
  reply: SimReply | { fault: 'reset' | 'timeout' } | null;
}

export interface WorkspaceCounters {
  requests: number;
  rate_limited: number;
  operations_accepted: number;
  operations_rejected: number;
}

export interface Counters {
  requests: number;
  by_status: Record<string, number>;
  by_route: Record<string, number>;
  faults: Record<string, number>;
  workspaces: Record<string, WorkspaceCounters>;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function emptyCounters(): Counters {
  return { requests: 0, by_status: Object.create(null), by_route: Object.create(null), faults: Object.create(null), workspaces: Object.create(null) };
}

/** The request log (bounded, oldest dropped first) and the counters. */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;
  private counters = emptyCounters();

  constructor(private readonly capacity: number) {}

  start(entry: Omit<LoggedRequest, 'seq' | 'reply'>, route: string): LoggedRequest {
    const logged: LoggedRequest = { ...entry, seq: ++this.seq, reply: null };
    this.entries.push(logged);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.counters.requests++;
    bump(this.counters.by_route, route);
    return logged;
  }

  private workspace(siteId: string): WorkspaceCounters {
    let counters = this.counters.workspaces[siteId];
    if (counters === undefined) {
      counters = { requests: 0, rate_limited: 0, operations_accepted: 0, operations_rejected: 0 };
      this.counters.workspaces[siteId] = counters;
    }
    return counters;
  }

  finish(entry: LoggedRequest, reply: LoggedRequest['reply']): void {
    entry.reply = reply;
    if (reply !== null && 'status' in reply) bump(this.counters.by_status, String(reply.status));
    else if (reply !== null) bump(this.counters.by_status, reply.fault);
  }

  countFault(kind: string): void {
    bump(this.counters.faults, kind);
  }

  countWorkspaceRequest(siteId: string): void {
    this.workspace(siteId).requests++;
  }

  countRateLimited(siteId: string): void {
    this.workspace(siteId).rate_limited++;
  }

  countOperations(siteId: string, accepted: number, rejected: number): void {
    const counters = this.workspace(siteId);
    counters.operations_accepted += accepted;
    counters.operations_rejected += rejected;
  }

  list(): LoggedRequest[] {
    return structuredClone(this.entries);
  }

  snapshot(): Counters {
    return structuredClone(this.counters);
  }

  clear(): void {
    this.entries = [];
    this.counters = emptyCounters();
  }
}
