/** Shared parts of the benchmarks: server processes, load processes, machine facts, the report file. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export function benchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ampstream-bench-${name}-`));
}

export interface ProcessHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export type ServerHandle = ProcessHandle;

/** Starts the built CLI (dist/) as its own process and waits until its output matches `ready` (group 1: the URL). */
async function startCli(args: string[], env: Record<string, string>, ready: RegExp): Promise<ProcessHandle> {
  const entry = join(ROOT, 'dist', 'cli', 'index.js');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` first');
  const child = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = ready.exec(output);
    if (match) {
      return {
        url: match[1] as string,
        pid: child.pid as number,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`${args[0]} did not start: ${output}`);
}

/** Starts the built ampstream as its own process (SQLite in `dataDir`). */
export function startServer(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ProcessHandle> {
  return startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn', ...args], env, /listening on (http:\/\/\S+)[\s\S]*point an Amplitude SDK/);
}

/** The bench workspace of the simulator. */
export const BENCH_WORKSPACE = { siteId: 'bench-site', apiKey: 'bench-cio-key', region: 'us' as const };

/** Starts the Customer.io simulator as its own process, enforcing `rate` requests per second. */
export function startSimulator(rate = 100): Promise<ProcessHandle> {
  const { siteId, apiKey, region } = BENCH_WORKSPACE;
  return startCli(['simulate', 'customerio', '--port', '0', '--workspace', `${siteId}:${apiKey}:${region}`, '--rate', String(rate)], {}, /listening on (http:\/\/\S+)/);
}

/** An admin API call with the bench token. */
export async function admin<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const reply = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!reply.ok) throw new Error(`${method} ${path}: ${reply.status} ${await reply.text()}`);
  return (await reply.json()) as T;
}

/** Creates the benchmark's project (with `apiKey`) and one sync sending events only to BENCH_WORKSPACE; returns the sync's id. */
export async function createEventSync(url: string, apiKey: string): Promise<number> {
  const projectId = await createProject(url, apiKey);
  const sync = await admin<{ id: number }>(url, 'POST', '/api/syncs', {
    name: 'bench',
    project_id: projectId,
    customerio: { site_id: BENCH_WORKSPACE.siteId, api_key: BENCH_WORKSPACE.apiKey, region: BENCH_WORKSPACE.region },
    send_users: { enabled: false },
  });
  return sync.id;
}

export async function createProject(url: string, apiKey: string): Promise<number> {
  const reply = await fetch(`${url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', api_key: apiKey }),
  });
  if (reply.status !== 201) throw new Error(`project create failed: ${await reply.text()}`);
  return ((await reply.json()) as { id: number }).id;
}

/** Runs bench/load.ts in its own process and returns what it measured. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'load.ts'), JSON.stringify(spec)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`load process failed (${code}): ${out}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

/** Resident memory of a process in MB, read from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replaces one benchmark's section of docs/benchmarks.md (between its markers), keeping the other
 * benchmarks' sections, so each benchmark can run alone.
 */
export function writeSection(name: string, markdown: string): void {
  const path = join(ROOT, 'docs', 'benchmarks.md');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# Benchmarks\n\nEvery figure is measured by `npm run bench…` on the machine named in its section; ratios compare figures measured side by side in the same run, because the machines here are shared and absolute numbers drift. Benchmarks are never part of the tests.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? `${text.slice(0, from)}${block}${text.slice(to + end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
