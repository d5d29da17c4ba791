import { resolve } from 'node:path';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './engine/delivery/delivery-settings.js';
import { AmpstreamError } from './errors.js';
import type { SqliteSynchronous } from './store/sqlite/sqlite-store.js';

/** Settings of `ampstream serve`; each has a flag and an environment variable (flags win). */
export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  /** From AMPSTREAM_ADMIN_TOKEN; when absent, one is generated and kept in the data directory. */
  adminToken: string | undefined;
  logLevel: string;
  commitDelayMs: number;
  commitMaxEvents: number;
  sqliteSynchronous: SqliteSynchronous;
  /** One URL standing in for both Customer.io regions (the simulator); undefined: the real hosts. */
  customerioUrl: string | undefined;
  /**
   * Run the Customer.io simulator in this process, on 127.0.0.1:port (0 picks a free one), and
   * deliver to it as `customerioUrl` would; undefined: no simulator. Never set with customerioUrl.
   */
  simulator: { host: string; port: number } | undefined;
  /** Whether deliveries are sent (off: planned and kept, not sent). */
  deliveryEnabled: boolean;
  delivery: DeliverySettings;
  /** A declarative sync file applied at start. */
  configFile: string | undefined;
  /**
   * Behind a TLS-terminating proxy: trust its X-Forwarded-Proto/-For/-Host, so the web UI's
   * cookies are Secure and the ingest URL it shows is the public one. Off: those headers are ignored.
   */
  trustProxy: boolean;
}

/** A numeric setting: its flag, environment variable, default and bounds. */
export interface NumericSetting {
  flag: string;
  env: string;
  default: number;
  min: number;
  max: number;
  description: string;
  apply: (config: ServeConfig, value: number) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const d = DEFAULT_DELIVERY_SETTINGS;

/** Every numeric setting of `ampstream serve` (the CLI's flags and the README's table come from here). */
export const NUMERIC_SETTINGS: readonly NumericSetting[] = [
  { flag: 'port', env: 'AMPSTREAM_PORT', default: 8080, min: 0, max: 65535, description: 'port to listen on (0 picks a free one)', apply: (c, v) => (c.port = v) },
  { flag: 'commit-delay-ms', env: 'AMPSTREAM_COMMIT_DELAY_MS', default: 0, min: 0, max: 1000, description: 'longest wait to gather concurrent requests into one commit (0: the next event-loop turn)', apply: (c, v) => (c.commitDelayMs = v) },
  { flag: 'commit-max-events', env: 'AMPSTREAM_COMMIT_MAX_EVENTS', default: 5000, min: 1, max: 1_000_000, description: 'most events in one commit', apply: (c, v) => (c.commitMaxEvents = v) },
  { flag: 'delivery-rate', env: 'AMPSTREAM_DELIVERY_RATE', default: d.ratePerSecond, min: 1, max: 100_000, description: 'Track API requests per second per Customer.io workspace', apply: (c, v) => (c.delivery.ratePerSecond = v) },
  { flag: 'batch-max-items', env: 'AMPSTREAM_BATCH_MAX_ITEMS', default: d.maxBatchItems, min: 1, max: 100_000, description: 'most items in one batch request (bodies also stay within 500,000 bytes)', apply: (c, v) => (c.delivery.maxBatchItems = v) },
  { flag: 'batch-wait-ms', env: 'AMPSTREAM_BATCH_WAIT_MS', default: d.batchWaitMs, min: 0, max: 60_000, description: 'how long new deliveries wait for others to share their batch', apply: (c, v) => (c.delivery.batchWaitMs = v) },
  { flag: 'delivery-concurrency', env: 'AMPSTREAM_DELIVERY_CONCURRENCY', default: d.concurrency, min: 1, max: 64, description: 'batch requests in flight at once per sync', apply: (c, v) => (c.delivery.concurrency = v) },
  { flag: 'retry-base-ms', env: 'AMPSTREAM_RETRY_BASE_MS', default: d.retry.backoffBaseMs, min: 1, max: DAY_MS, description: 'first retry backoff, doubled on each attempt (with jitter)', apply: (c, v) => (c.delivery.retry.backoffBaseMs = v) },
  { flag: 'retry-cap-ms', env: 'AMPSTREAM_RETRY_CAP_MS', default: d.retry.backoffCapMs, min: 1, max: DAY_MS, description: 'longest retry backoff', apply: (c, v) => (c.delivery.retry.backoffCapMs = v) },
  { flag: 'retry-max-attempts', env: 'AMPSTREAM_RETRY_MAX_ATTEMPTS', default: d.retry.maxAttempts, min: 1, max: 1000, description: 'attempts before an item expires to the dead-letter store', apply: (c, v) => (c.delivery.retry.maxAttempts = v) },
  { flag: 'retry-max-age-ms', env: 'AMPSTREAM_RETRY_MAX_AGE_MS', default: d.retry.maxAgeMs, min: 1, max: 30 * DAY_MS, description: 'age after which a still-failing item expires', apply: (c, v) => (c.delivery.retry.maxAgeMs = v) },
  { flag: 'pause-probe-ms', env: 'AMPSTREAM_PAUSE_PROBE_MS', default: d.pauseProbeMs, min: 10, max: DAY_MS, description: 'how often a sync paused by rejected credentials checks them again', apply: (c, v) => (c.delivery.pauseProbeMs = v) },
  { flag: 'delivery-window', env: 'AMPSTREAM_DELIVERY_WINDOW', default: d.windowSize, min: 100, max: 10_000_000, description: 'pending deliveries held in memory per sync', apply: (c, v) => (c.delivery.windowSize = v) },
  { flag: 'customerio-timeout-ms', env: 'AMPSTREAM_CUSTOMERIO_TIMEOUT_MS', default: d.requestTimeoutMs, min: 100, max: 600_000, description: "longest wait for Customer.io's reply", apply: (c, v) => (c.delivery.requestTimeoutMs = v) },
];

export type ServeFlags = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** commander's property name for a flag: `commit-delay-ms` → `commitDelayMs`. */
export function flagProperty(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function integer(value: string, name: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new AmpstreamError('config_invalid', `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`, {
      field: name,
    });
  }
  return parsed;
}

function choice<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower)) {
    throw new AmpstreamError('config_invalid', `${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`, { field: name });
  }
  return lower;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Where the embedded simulator listens by default (as `ampstream simulate customerio`). */
export const SIMULATOR_HOST = '127.0.0.1';
export const SIMULATOR_DEFAULT_PORT = 9100;

/**
 * `--simulator` / AMPSTREAM_SIMULATOR and `--simulator-port` / AMPSTREAM_SIMULATOR_PORT. The
 * simulator is where deliveries go, so a Customer.io URL from any source is refused with it.
 */
function resolveSimulator(flags: ServeFlags, env: NodeJS.ProcessEnv, customerioUrl: string | undefined): ServeConfig['simulator'] {
  const on = choice(nonEmpty(flags.simulator ?? env.AMPSTREAM_SIMULATOR) ?? 'off', 'simulator', ['on', 'off'] as const) === 'on';
  if (!on) {
    if (flags.simulatorPort !== undefined) {
      throw new AmpstreamError('config_invalid', '--simulator-port needs --simulator (AMPSTREAM_SIMULATOR=on)', { field: 'simulator-port' });
    }
    return undefined;
  }
  if (customerioUrl !== undefined) {
    const simulatorFrom = flags.simulator !== undefined ? '--simulator' : 'AMPSTREAM_SIMULATOR=on';
    const urlFrom = nonEmpty(flags.customerioUrl) !== undefined ? '--customerio-url' : 'AMPSTREAM_CUSTOMERIO_URL';
    throw new AmpstreamError(
      'config_invalid',
      `${simulatorFrom} and ${urlFrom} cannot be used together: with the simulator, deliveries go to it; drop one of them`,
      { field: 'simulator' },
    );
  }
  const port = nonEmpty(flags.simulatorPort ?? env.AMPSTREAM_SIMULATOR_PORT);
  return { host: SIMULATOR_HOST, port: port === undefined ? SIMULATOR_DEFAULT_PORT : integer(port, 'simulator-port', 0, 65535) };
}

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const token = nonEmpty(env.AMPSTREAM_ADMIN_TOKEN);
  if (token !== undefined && token.length < 16) {
    throw new AmpstreamError('config_invalid', 'AMPSTREAM_ADMIN_TOKEN must be at least 16 characters', { field: 'AMPSTREAM_ADMIN_TOKEN' });
  }
  const customerioUrl = nonEmpty(flags.customerioUrl ?? env.AMPSTREAM_CUSTOMERIO_URL);
  if (customerioUrl !== undefined && !/^https?:\/\/[^/]+/.test(customerioUrl)) {
    throw new AmpstreamError('config_invalid', `customerio-url must be an http(s) URL (got ${JSON.stringify(customerioUrl)})`, { field: 'customerio-url' });
  }
  const config: ServeConfig = {
    port: 0,
    host: flags.host ?? env.AMPSTREAM_HOST ?? '0.0.0.0',
    dataDir: resolve(flags.dataDir ?? env.AMPSTREAM_DATA_DIR ?? './data'),
    adminToken: token,
    logLevel: choice(flags.logLevel ?? env.AMPSTREAM_LOG_LEVEL ?? 'info', 'log-level', LOG_LEVELS),
    commitDelayMs: 0,
    commitMaxEvents: 0,
    sqliteSynchronous: choice(flags.sqliteSynchronous ?? env.AMPSTREAM_SQLITE_SYNCHRONOUS ?? 'full', 'sqlite-synchronous', ['full', 'normal'] as const),
    customerioUrl,
    simulator: resolveSimulator(flags, env, customerioUrl),
    deliveryEnabled: choice(flags.delivery ?? env.AMPSTREAM_DELIVERY ?? 'on', 'delivery', ['on', 'off'] as const) === 'on',
    delivery: { ...DEFAULT_DELIVERY_SETTINGS, retry: { ...DEFAULT_DELIVERY_SETTINGS.retry } },
    configFile: nonEmpty(flags.config ?? env.AMPSTREAM_CONFIG),
    trustProxy: choice(flags.trustProxy ?? env.AMPSTREAM_TRUST_PROXY ?? 'off', 'trust-proxy', ['on', 'off'] as const) === 'on',
  };
  for (const setting of NUMERIC_SETTINGS) {
    const raw = nonEmpty(flags[flagProperty(setting.flag)] ?? env[setting.env]);
    setting.apply(config, raw === undefined ? setting.default : integer(raw, setting.flag, setting.min, setting.max));
  }
  return config;
}
