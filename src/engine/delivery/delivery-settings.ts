import type { RetryPolicy } from './retry-policy.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

/** Every timing of the delivery engine; each has a flag and an environment variable (see README). */
export interface DeliverySettings {
  retry: RetryPolicy;
  /** Requests per second per Customer.io workspace (default 100). */
  ratePerSecond: number;
  /** Most items in one batch request (default 1,000); the body is also kept within 500,000 bytes. */
  maxBatchItems: number;
  /** Batch requests in flight at once per sync (default 4). */
  concurrency: number;
  /** How long new deliveries wait for others to share their batch (default 20 ms). */
  batchWaitMs: number;
  /** How often a sync paused by a configuration problem re-checks its credentials (default 60 s). */
  pauseProbeMs: number;
  /** Deliveries held in memory per sync; more are read from the store as these go out (default 10,000). */
  windowSize: number;
  /** Longest wait for Customer.io's reply (default 10 s). */
  requestTimeoutMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  retry: DEFAULT_RETRY_POLICY,
  ratePerSecond: 100,
  maxBatchItems: 1000,
  concurrency: 4,
  batchWaitMs: 20,
  pauseProbeMs: 60_000,
  windowSize: 10_000,
  requestTimeoutMs: 10_000,
};
