import { resolve } from 'node:path';
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
}

export interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  logLevel?: string;
  commitDelayMs?: string;
  commitMaxEvents?: string;
  sqliteSynchronous?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new AmpstreamError('config_invalid', `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`, {
      field: name,
    });
  }
  return parsed;
}

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const logLevel = flags.logLevel ?? env.AMPSTREAM_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new AmpstreamError('config_invalid', `log level must be one of ${LOG_LEVELS.join(', ')}`, { field: 'log-level' });
  }
  const synchronous = (flags.sqliteSynchronous ?? env.AMPSTREAM_SQLITE_SYNCHRONOUS ?? 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new AmpstreamError('config_invalid', 'sqlite synchronous must be "full" or "normal"', { field: 'sqlite-synchronous' });
  }
  const token = env.AMPSTREAM_ADMIN_TOKEN;
  if (token !== undefined && token !== '' && token.length < 16) {
    throw new AmpstreamError('config_invalid', 'AMPSTREAM_ADMIN_TOKEN must be at least 16 characters', {
      field: 'AMPSTREAM_ADMIN_TOKEN',
    });
  }
  return {
    port: integer(flags.port ?? env.AMPSTREAM_PORT, 8080, 'port', 0, 65535),
    host: flags.host ?? env.AMPSTREAM_HOST ?? '0.0.0.0',
    dataDir: resolve(flags.dataDir ?? env.AMPSTREAM_DATA_DIR ?? './data'),
    adminToken: token === '' ? undefined : token,
    logLevel,
    commitDelayMs: integer(flags.commitDelayMs ?? env.AMPSTREAM_COMMIT_DELAY_MS, 0, 'commit-delay-ms', 0, 1000),
    commitMaxEvents: integer(flags.commitMaxEvents ?? env.AMPSTREAM_COMMIT_MAX_EVENTS, 5000, 'commit-max-events', 1, 1_000_000),
    sqliteSynchronous: synchronous,
  };
}
