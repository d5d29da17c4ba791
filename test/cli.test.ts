import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { displayWidth } from '../src/cli/table.js';
import { REPO_ROOT, runCli, startServerProcess } from './helpers/process.js';
import { tempDir } from './helpers/service.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('ampstream CLI', () => {
  it('serve: first start prints where it listens, where data lives, a generated admin token and a first project key, once', async () => {
    const dataDir = tempDir('ampstream-cli-');
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: '' });
    let token: string;
    try {
      const banner = server.stderr();
      assert.match(banner, /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(banner.includes(join(dataDir, 'ampstream.db')), banner);
      const tokenLine = /admin token \(shown once; also kept in (\S+)\): (\S+)/.exec(banner);
      assert.ok(tokenLine, banner);
      token = tokenLine[2] as string;
      assert.equal(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), token);
      assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
      assert.match(banner, /created project "Default project"; its API key \(shown once\): [0-9a-f]{32}/);

      // projects create / list through the admin API, the token read from the data directory
      const create = runCli(['projects', 'create', '--name', 'Web app', '--api-key', 'cli-key-000001', '--url', server.url, '--data-dir', dataDir], {
        AMPSTREAM_ADMIN_TOKEN: '',
      });
      assert.equal(await create.exited, 0, create.stderr());
      assert.match(create.stdout(), /created project 2 "Web app"\napi key \(shown once\): cli-key-000001/);

      const list = runCli(['projects', 'list', '--url', server.url, '--data-dir', dataDir], { AMPSTREAM_ADMIN_TOKEN: '' });
      assert.equal(await list.exited, 0, list.stderr());
      const lines = list.stdout().trim().split('\n');
      assert.match(lines[0] ?? '', /^id\s+name\s+api key\s+created$/);
      assert.match(lines[1] ?? '', /^1\s+Default project\s+…[0-9a-f]{4}\s+\d{4}-/);
      assert.match(lines[2] ?? '', /^2\s+Web app\s+…0001\s+/);
      assert.ok(!list.stdout().includes('cli-key-000001'), 'list never shows a key');

      const json = runCli(['projects', 'list', '--json', '--url', server.url, '--token', token]);
      assert.equal(await json.exited, 0);
      assert.equal(JSON.parse(json.stdout()).length, 2);

      const conflict = runCli(['projects', 'create', '--name', 'Again', '--api-key', 'cli-key-000001', '--url', server.url, '--token', token]);
      assert.equal(await conflict.exited, 2);
      assert.match(conflict.stderr(), /another project already uses this api_key \(api_key\)/);
      const sameName = runCli(['projects', 'create', '--name', '  web APP ', '--url', server.url, '--token', token]);
      assert.equal(await sameName.exited, 2);
      assert.equal(sameName.stderr(), 'ampstream: name: project 2 is already called "Web app" (name)\n');
      const invisible = runCli(['projects', 'create', '--name', 'Web\u200bshop', '--url', server.url, '--token', token]);
      assert.equal(await invisible.exited, 2);
      assert.equal(invisible.stderr(), 'ampstream: name: must not contain invisible or format characters (found U+200B) (name)\n');
      const selectorOnly = runCli(['projects', 'create', '--name', '\ufe0e', '--url', server.url, '--token', token]);
      assert.equal(await selectorOnly.exited, 2, 'a variation selector alone shows nothing');
      assert.equal(selectorOnly.stderr(), 'ampstream: name: must not be empty (spaces and invisible characters alone are no name) (name)\n');
      const trimmed = runCli(['projects', 'create', '--name', ' Mobile app ', '--url', server.url, '--token', token]);
      assert.equal(await trimmed.exited, 0, trimmed.stderr());
      assert.match(trimmed.stdout(), /^created project 3 "Mobile app"\n/, 'stored without the surrounding spaces');

      const wrongToken = runCli(['projects', 'list', '--url', server.url, '--token', 'wrong-token-wrong-token']);
      assert.equal(await wrongToken.exited, 2);
      assert.match(wrongToken.stderr(), /admin token/);
    } finally {
      server.child.kill('SIGINT');
      assert.equal(await server.exited, 0);
    }

    const again = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: '' });
    try {
      const banner = again.stderr();
      assert.ok(!banner.includes(token), 'the token is printed only on the start that generated it');
      assert.match(banner, /admin token: in .*admin-token/);
      assert.ok(!/API key \(shown once\)/.test(banner), 'no new project on a later start');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('projects list: a long name is cut in the table and whole in --json; emoji and decomposed names keep the columns aligned', async () => {
    const dataDir = tempDir('ampstream-cli-names-');
    dirs.push(dataDir);
    const token = 'names-token-123456789';
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: token });
    try {
      const connection = ['--url', server.url, '--token', token];
      const long = '🌱'.repeat(200);
      for (const name of [long, 'Cafe\u0301', '❤️ fans', '日本の店']) {
        const created = runCli(['projects', 'create', '--name', name, ...connection]);
        assert.equal(await created.exited, 0, created.stderr());
      }
      const list = runCli(['projects', 'list', ...connection]);
      assert.equal(await list.exited, 0, list.stderr());
      const lines = list.stdout().trimEnd().split('\n');
      assert.equal(lines.length, 6);
      assert.ok(lines[2]?.includes(`${'🌱'.repeat(19)}…`), lines[2]);
      assert.ok(!list.stdout().includes('🌱'.repeat(20)), 'the name is cut to 40 columns');
      // the api key hint starts at the same terminal column on every row
      const keyColumn = (line: string) => displayWidth(line.slice(0, line.search(/…[0-9a-f]{4}\s|api key/)));
      const columns = lines.map(keyColumn);
      assert.equal(new Set(columns).size, 1, `aligned:\n${lines.join('\n')}`);
      assert.ok((columns[0] ?? 0) <= 4 + 40 + 2, 'no wider than a 40-column name');

      const json = runCli(['projects', 'list', '--json', ...connection]);
      assert.equal(await json.exited, 0);
      assert.ok(JSON.parse(json.stdout()).some((p: { name: string }) => p.name === long), '--json has the whole name');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('projects list says clearly when no server answers', async () => {
    const cli = runCli(['projects', 'list', '--url', 'http://127.0.0.1:9', '--token', 'some-token-123456789']);
    assert.equal(await cli.exited, 2);
    assert.match(cli.stderr(), /could not reach http:\/\/127\.0\.0\.1:9: is `ampstream serve` running there\?/);
  });

  it('serve refuses bad settings with a clear message', async () => {
    const dataDir = tempDir('ampstream-bad-');
    dirs.push(dataDir);
    const cli = runCli(['serve', '--port', 'eighty', '--data-dir', dataDir]);
    assert.equal(await cli.exited, 2);
    assert.match(cli.stderr(), /port must be an integer from 0 to 65535 \(got "eighty"\)/);
  });

  it('usage errors exit 2, as the README says errors do; --help and --version exit 0', async () => {
    const run = async (args: string[]) => {
      const cli = runCli(args, { AMPSTREAM_ADMIN_TOKEN: 'some-token-123456789' });
      return { code: await cli.exited, out: cli.stdout(), err: cli.stderr() };
    };
    const missing = await run(['syncs', 'create', '--url', 'http://127.0.0.1:9']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /required option '--file <path>' not specified/);
    const unknownOption = await run(['syncs', 'list', '--colour']);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.err, /unknown option '--colour'/);
    const unknownCommand = await run(['synks']);
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.err, /unknown command 'synks'/);
    const missingArgument = await run(['syncs', 'show']);
    assert.equal(missingArgument.code, 2);
    assert.match(missingArgument.err, /missing required argument 'id'/);

    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: ampstream /);
    const subcommandHelp = await run(['syncs', 'update', '--help']);
    assert.equal(subcommandHelp.code, 0);
    assert.match(subcommandHelp.out, /--patch/);
    const version = await run(['--version']);
    assert.equal(version.code, 0);
    const { version: expected } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.out, `${expected}\n`);
  });
});
