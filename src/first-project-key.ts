import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Default project's API key between its creation and the line that shows it. ampstream keeps
 * only a key's hash, so a first start killed in between (kill -9, out of memory, power cut) would
 * leave a project whose key nobody saw: the key waits in this file (owner only, next to the admin
 * token) until it has been shown, and the next start shows it.
 */
export const FIRST_PROJECT_KEY_FILE = 'first-project-key';

export function firstProjectKeyPath(dataDir: string): string {
  return join(dataDir, FIRST_PROJECT_KEY_FILE);
}

/** Keeps a just-created Default project's key until `forgetFirstProjectKey`. */
export function keepFirstProjectKey(dataDir: string, key: string): void {
  writeFileSync(firstProjectKeyPath(dataDir), `${key}\n`, { mode: 0o600 });
}

/** The key a start kept and did not get to show, if any. */
export function unshownFirstProjectKey(dataDir: string): string | undefined {
  const path = firstProjectKeyPath(dataDir);
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, 'utf8').trim();
  return key === '' ? undefined : key;
}

/** Once the key has been shown. */
export function forgetFirstProjectKey(dataDir: string): void {
  rmSync(firstProjectKeyPath(dataDir), { force: true });
}
