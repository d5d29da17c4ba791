import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmpstreamError } from './errors.js';

export const LOCK_FILE = 'ampstream.lock';

/** The data directory holds secrets (Customer.io keys in the database, the admin token): owner only. */
export function prepareDataDir(dir: string): void {
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created) chmodSync(dir, 0o700);
}

/** Makes the database files readable by the owner only (SQLite creates them with the umask's mode). */
export function restrictFiles(paths: readonly string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, 0o600);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per data directory: two would each deliver the same pending deliveries. A lock file
 * holds the owner's pid; a lock whose process is gone (a crash, SIGKILL) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new AmpstreamError(
          'config_invalid',
          `the data directory ${dir} is in use by process ${owner} (another ampstream serve); two servers on one directory would send every delivery twice. If no such server runs, delete ${path}`,
          { field: 'data-dir' },
        );
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
  throw new AmpstreamError('config_invalid', `cannot lock the data directory ${dir}`, { field: 'data-dir' });
}
