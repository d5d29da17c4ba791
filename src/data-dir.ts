import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AmpstreamError } from './errors.js';

export const LOCK_FILE = 'ampstream.lock';

/** The nearest part of the path (itself included) that exists and is not a directory. */
function fileInTheWay(dir: string): string | undefined {
  for (let path = resolve(dir); ; path = dirname(path)) {
    try {
      return statSync(path).isDirectory() ? undefined : path;
    } catch {
      if (dirname(path) === path) return undefined;
    }
  }
}

/**
 * What the filesystem refused about the data directory, as a setting refused (exit 2): a file
 * where the directory or one of its parents should be, no permission, a read-only filesystem.
 */
export function dataDirError(dir: string, error: unknown): AmpstreamError {
  const code = (error as NodeJS.ErrnoException).code;
  const file = code === 'EEXIST' || code === 'ENOTDIR' ? fileInTheWay(dir) : undefined;
  const message =
    file !== undefined
      ? file === resolve(dir)
        ? `the data directory ${dir} is a file, not a directory`
        : `the data directory ${dir} cannot be created: ${file} is a file, not a directory`
      : code === 'EACCES' || code === 'EPERM'
        ? `no permission to create or write the data directory ${dir} (${code}): choose another --data-dir, or give the user running ampstream access`
        : code === 'EROFS'
          ? `the data directory ${dir} is on a read-only filesystem: choose a writable --data-dir`
          : code === 'ENOSPC'
            ? `no space left on the device of the data directory ${dir}`
            : `cannot use the data directory ${dir}: ${error instanceof Error ? error.message : String(error)}`;
  return new AmpstreamError('config_invalid', message, { field: 'data-dir', cause: error });
}

/**
 * The data directory holds secrets (Customer.io keys in the database, the admin token): owner only.
 * Returns the directories this call created, the data directory first, then its parents that
 * did not exist (empty when it was there), so a failed start can remove them again.
 */
export function prepareDataDir(dir: string): string[] {
  const created: string[] = [];
  for (let path = resolve(dir); !existsSync(path); path = dirname(path)) created.push(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (created.length > 0) chmodSync(dir, 0o700);
  } catch (error) {
    throw dataDirError(dir, error);
  }
  return created;
}

/** Makes the database files readable by the owner only (SQLite creates them with the umask's mode). */
export function restrictFiles(paths: readonly string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, 0o600);
}

/** A process's state letter and start time (clock ticks after boot) from Linux's /proc; undefined elsewhere or when gone. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    // the name field (2) may hold spaces and parentheses: the fields after its last ')' are plain
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner still runs. A zombie (killed, its parent has not reaped it yet) does
 * not; nor does a process that started at another time than the lock records: its pid was reused.
 */
function alive(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true; // no /proc: the signal's answer is all there is
  return stat.state !== 'Z' && (startTime === undefined || stat.startTime === startTime);
}

/**
 * One server per data directory: two would each deliver the same pending deliveries. A lock file
 * holds the owner's pid; a lock whose process is gone (a crash, SIGKILL) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  // the owner's pid, and its start time where /proc tells it (a lock of an older version has the pid alone)
  const startTime = procStat(process.pid)?.startTime;
  const content = startTime === undefined ? `${process.pid}\n` : `${process.pid} ${startTime}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(path, 'utf8') === content) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirError(dir, error);
      const [pid, recordedStart] = readFileSync(path, 'utf8').trim().split(/\s+/);
      const owner = Number(pid);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner, recordedStart)) {
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
