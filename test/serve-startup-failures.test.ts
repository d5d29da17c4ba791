import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { runCli, type CliProcess } from './helpers/process.js';
import { tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The exit code, or 'still running' when the process has not ended 20 s later (then it is killed). */
async function exitOf(cli: CliProcess): Promise<number | string> {
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

function serve(dataDir: string, args: string[]): CliProcess {
  return runCli(['serve', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], { AMPSTREAM_LOG_LEVEL: 'warn' });
}

describe('ampstream serve when it cannot start', () => {
  it('exits 1 when the port is taken, instead of staying up with the database open', async () => {
    const dataDir = tempDir('ampstream-busy-');
    dirs.push(dataDir);
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const cli = serve(dataDir, ['--port', String(port)]);
      assert.equal(await exitOf(cli), 1);
      assert.match(cli.stderr(), /EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
