import type { TrackRegion } from '../customerio/track-items.js';
import { MAX_BATCH_BODY_BYTES, MAX_ITEM_BYTES } from '../customerio/limits.js';
import type { FaultSettings } from './faults.js';

/** How a workspace identifies people (reference §2.1): new workspaces use "Email or ID". */
export type IdentifierMode = 'id' | 'email' | 'email_or_id';

export interface SimulatorWorkspace {
  siteId: string;
  apiKey: string;
  region: TrackRegion;
  /** The `environment_id` the region lookup answers (default: 1, 2, ... in the order given). */
  environmentId?: number;
  identifierMode?: IdentifierMode;
}

/** Size caps the simulator enforces; "KB" read as 1000 bytes (the stricter reading). */
export interface SimulatorLimits {
  /** One v2 operation (default 32,000 bytes). */
  itemBytes: number;
  /** A v2 batch request body (default 500,000 bytes). */
  batchBytes: number;
  /** A v2 entity request body (default 32,000 bytes). */
  entityBytes: number;
  /** Any v1 request body (default 1,000,000 bytes, answered 413 above it). */
  v1BodyBytes: number;
  /** Status for an oversized v2 entity request: 400 (default) or 413. */
  entityTooLargeStatus: 400 | 413;
}

export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one (default 9100). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  workspaces?: SimulatorWorkspace[];
  /** Requests per second per workspace, v1 and v2 together; the burst equals the rate (default 100). */
  rateLimitPerSecond?: number;
  /** Whether a 429 carries `Retry-After` (default true; the real API may not send it). */
  rateLimitRetryAfter?: boolean;
  faults?: FaultSettings;
  limits?: Partial<SimulatorLimits>;
  /** Whether an event for an unknown person creates a bare profile (default true, as observed). */
  eventsCreatePeople?: boolean;
  /** The clock in milliseconds (default Date.now); tests pass a fake one. */
  now?: () => number;
  /** Seed for fault dice (default 1), so runs repeat. */
  seed?: number;
  /** How many requests the log keeps, newest last (default 10,000). */
  requestLogSize?: number;
}

export const DEFAULT_LIMITS: SimulatorLimits = {
  itemBytes: MAX_ITEM_BYTES,
  batchBytes: MAX_BATCH_BODY_BYTES,
  entityBytes: MAX_ITEM_BYTES,
  v1BodyBytes: 1_000_000,
  entityTooLargeStatus: 400,
};

/** The workspaces a simulator gets when none are configured: one per region. */
export const DEFAULT_WORKSPACES: readonly SimulatorWorkspace[] = [
  { siteId: 'sim-site-us', apiKey: 'sim-key-us', region: 'us' },
  { siteId: 'sim-site-eu', apiKey: 'sim-key-eu', region: 'eu' },
];

/** Parses `site_id:api_key[:region]` (region `us` by default). */
export function parseWorkspaceSpec(spec: string): SimulatorWorkspace {
  const parts = spec.split(':');
  const [siteId, apiKey, region = 'us'] = parts;
  if (parts.length > 3 || siteId === undefined || siteId === '' || apiKey === undefined || apiKey === '') {
    throw new Error(`workspace "${spec.split(':')[0] ?? ''}:…" must be written site_id:api_key[:us|eu]`);
  }
  if (region !== 'us' && region !== 'eu') throw new Error(`workspace ${siteId}: region must be us or eu, not "${region}"`);
  return { siteId, apiKey, region };
}

/** A key shown to people: never the whole secret. */
export function maskKey(apiKey: string): string {
  return apiKey.length <= 4 ? '****' : `****${apiKey.slice(-4)}`;
}
