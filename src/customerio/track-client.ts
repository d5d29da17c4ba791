import { Pool } from 'undici';
import { isPlainObject } from '../amplitude/plain-data.js';
import { batchBody } from './batching.js';
import { basicAuthorization, trackBaseUrl } from './track-hosts.js';
import type { TrackItem, TrackRegion, TrackWorkspace } from './track-items.js';
import { classifyTrackResponse, classifyTransportError, type TrackOutcome, type TrackResponse } from './track-outcome.js';

export interface TrackClientOptions {
  /** One URL standing in for both regions (e.g. the simulator); read by the caller, not here. */
  baseUrlOverride?: string;
  /** Longest wait for the reply headers and between body chunks (default 10,000 ms). */
  timeoutMs?: number;
  /** Keep-alive connections per host (default 8). */
  connections?: number;
  /** The clock, for `Retry-After` dates. */
  now?: () => number;
}

/** A credential check: the workspace answered with its region, or why it did not. */
export type CredentialCheck =
  | { kind: 'valid'; region: TrackRegion; environmentId: number | null }
  | (TrackOutcome & { kind: 'configuration' | 'retryable' | 'rate_limited' });

export interface TrackClient {
  /** Sends one v2 batch request and classifies the reply. Never throws for HTTP or network failures. */
  sendBatch(workspace: TrackWorkspace, items: readonly TrackItem[]): Promise<TrackOutcome>;
  /** The same, for items already serialised (each one JSON text): the body is joined, not re-serialised. */
  sendBatchJson(workspace: TrackWorkspace, itemsJson: readonly string[]): Promise<TrackOutcome>;
  /** Checks the credentials and the region through `GET /api/v1/accounts/region`. */
  checkCredentials(workspace: TrackWorkspace): Promise<CredentialCheck>;
  close(): Promise<void>;
}

const USER_AGENT = 'ampstream (Customer.io Track API v2)';

export function createTrackClient(options: TrackClientOptions = {}): TrackClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const pools = new Map<string, Pool>();

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connections ?? 8,
        keepAliveTimeout: 30_000,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connectTimeout: timeoutMs,
      });
      pools.set(origin, pool);
    }
    return pool;
  }

  async function call(workspace: TrackWorkspace, method: 'GET' | 'POST', path: string, body?: string): Promise<TrackResponse> {
    const base = trackBaseUrl(workspace.region, options.baseUrlOverride);
    const headers: Record<string, string> = {
      authorization: basicAuthorization(workspace.siteId, workspace.apiKey),
      'user-agent': USER_AGENT,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const reply = await poolFor(base.origin).request({
      method,
      path: `${base.pathPrefix}${path}`,
      headers,
      ...(body === undefined ? {} : { body }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await reply.body.text();
    return { status: reply.statusCode, headers: reply.headers, body: text };
  }

  async function send(workspace: TrackWorkspace, body: string, itemCount: number): Promise<TrackOutcome> {
    try {
      const response = await call(workspace, 'POST', '/api/v2/batch', body);
      return classifyTrackResponse(response, { itemCount, now: now() });
    } catch (error) {
      return classifyTransportError(error);
    }
  }

  return {
    sendBatch(workspace, items) {
      return send(workspace, batchBody(items), items.length);
    },

    sendBatchJson(workspace, itemsJson) {
      return send(workspace, `{"batch":[${itemsJson.join(',')}]}`, itemsJson.length);
    },

    async checkCredentials(workspace) {
      let response: TrackResponse;
      try {
        response = await call(workspace, 'GET', '/api/v1/accounts/region');
      } catch (error) {
        return classifyTransportError(error);
      }
      if (response.status === 200) return regionCheck(workspace, response.body);
      const outcome = classifyTrackResponse(response, { itemCount: 0, now: now() });
      if (outcome.kind === 'configuration' || outcome.kind === 'retryable' || outcome.kind === 'rate_limited') return outcome;
      return {
        kind: 'configuration',
        status: response.status,
        problem: 'not_track_api',
        message: `the region lookup answered ${response.status}`,
      };
    },

    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

function regionCheck(workspace: TrackWorkspace, body: string): CredentialCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const region = isPlainObject(parsed) ? parsed.region : undefined;
  if (region !== 'us' && region !== 'eu') {
    return { kind: 'retryable', status: 200, cause: 'unreadable_reply', message: 'the region lookup answered without a region' };
  }
  if (region !== workspace.region) {
    return {
      kind: 'configuration',
      status: 200,
      problem: 'wrong_region',
      message: `the credentials belong to a workspace in the ${region.toUpperCase()} region, but the sync says ${workspace.region.toUpperCase()}`,
    };
  }
  const environmentId = isPlainObject(parsed) && typeof parsed.environment_id === 'number' ? parsed.environment_id : null;
  return { kind: 'valid', region, environmentId };
}
