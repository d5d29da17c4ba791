/**
 * The demo's child processes (`ampstream serve`, `ampstream simulate customerio`) and its
 * temporary directory, cleaned up on every way out: a normal end, an error, Ctrl-C or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
const STOP_GRACE_MS = 5000;

const children = new Set<ChildProcess>();
const directories = new Set<string>();

/** Last resort when the process exits: nothing can be awaited here, so kill and delete at once. */
function removeEverythingNow(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
}

/** On Ctrl-C or SIGTERM: stop the children, delete the directory, exit 130 / 143. */
export function cleanUpOnExit(): void {
  process.once('exit', removeEverythingNow);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the demo's processes and removing its data\n`);
      void stopEverything().finally(() => process.exit(code));
    });
  }
}

export function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ampstream-demo-'));
  directories.add(dir);
  return dir;
}

export interface RunningChild {
  url: string;
}

/**
 * Runs `ampstream ARGS` from source and resolves once `ready` shows on the watched stream, with
 * the URL of its "listening on" line. The other stream is drained and dropped (server logs).
 */
export async function startAmpstream(args: string[], watch: 'stdout' | 'stderr', ready: string, env: Record<string, string> = {}): Promise<RunningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let text = '';
  child[watch]?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child[watch === 'stdout' ? 'stderr' : 'stdout']?.resume();
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!text.includes(ready)) return;
      child[watch]?.off('data', check);
      child.off('exit', failed);
      resolve();
    };
    const failed = (code: number | null) => reject(new Error(`ampstream ${args[0]} exited (${code}) before it was ready:\n${text}`));
    child[watch]?.on('data', check);
    child.once('exit', failed);
  });
  const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
  if (url === undefined) throw new Error(`ampstream ${args[0]} did not say where it listens:\n${text}`);
  return { url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops every child (SIGTERM, then SIGKILL after 5 s) and removes the temporary directories. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...children].map(stop));
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}
