import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI_SOURCE = join(REPO_ROOT, 'src', 'cli', 'index.ts');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Runs the ampstream CLI from source (through tsx), with the given arguments and environment (and stdin text). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(input);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The exit code, or 'still running' when the process has not ended 20 s later (then it is killed). */
export async function exitOf(cli: CliProcess): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), 20_000)));
  const result = await Promise.race([cli.exited, hung]);
  clearTimeout(timer);
  if (result === 'still running') {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  return result;
}

export interface ServerProcess extends CliProcess {
  url: string;
}

/** Starts `ampstream serve` on a free port and resolves once it has printed its whole banner. */
export async function startServerProcess(dataDir: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<ServerProcess> {
  const cli = runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...extraArgs], {
    AMPSTREAM_LOG_LEVEL: 'warn',
    // a simulator asked for by the outer environment would clash with the tests' --customerio-url
    AMPSTREAM_SIMULATOR: '',
    ...env,
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    // the banner's last line says it is ready; the first one says where it listens
    const match = /listening on (http:\/\/\S+)/.exec(cli.stderr());
    if (match && cli.stderr().includes('point an Amplitude SDK at')) return { ...cli, url: match[1] as string };
    if (cli.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  cli.child.kill('SIGKILL');
  throw new Error(`ampstream serve did not start:\n${cli.stderr()}\n${cli.stdout()}`);
}
