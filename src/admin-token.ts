import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin-token';

export interface AdminTokenSource {
  token: string;
  /** Where it came from; `generated` only on the start that created it. */
  origin: 'environment' | 'file' | 'generated';
  path: string;
}

/**
 * A new admin token: 192 random bits as hex, so it never starts with `-` (a command line would
 * read `--token -V0i…` as options) and survives any copy and paste.
 */
export function generateAdminToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * The admin API token: AMPSTREAM_ADMIN_TOKEN when set, else the one kept in the data directory,
 * else a new one written there (mode 0600) and reported as `generated` so it is printed once.
 */
export function loadAdminToken(dataDir: string, fromEnvironment: string | undefined): AdminTokenSource {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (fromEnvironment !== undefined) return { token: fromEnvironment, origin: 'environment', path };
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, origin: 'file', path };
  }
  const token = generateAdminToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, origin: 'generated', path };
}

/** The token a CLI command uses: the environment's, else the data directory's file. */
export function readAdminToken(dataDir: string, fromEnvironment: string | undefined): string | undefined {
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
