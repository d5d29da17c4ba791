import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { NUMERIC_SETTINGS, SIMULATOR_DEFAULT_PORT, SIMULATOR_HOST, resolveServeConfig, type ServeFlags } from '../config.js';
import { isAmpstreamError } from '../errors.js';
import { adminRequest, connectionOptions, resolveAdminConnection, type AdminConnectionFlags } from './admin-client.js';
import { cutToWidth, NAME_COLUMN_WIDTH, printTable } from './table.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerOperationsCommands } from './operations-command.js';
import { registerSyncsCommand } from './syncs-command.js';

interface ProjectView {
  id: number;
  name: string;
  api_key_hint: string;
  created_at: string;
  api_key?: string;
}

/** The package's version (package.json sits two levels up from both src/cli and dist/cli). */
function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}

export function buildCli(): Command {
  // exitOverride before any subcommand is added (they inherit it): usage errors are thrown to
  // runCli, which exits 2 as every other error does, instead of commander's own exit 1
  const program = new Command('ampstream')
    .description('Amplitude-compatible ingestion that streams events and user updates to Customer.io')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();

  const serve = program
    .command('serve')
    .description('run the service: Amplitude ingestion endpoints, the admin API and delivery to Customer.io')
    .option('--host <host>', 'address to bind (AMPSTREAM_HOST, default 0.0.0.0)')
    .option('--data-dir <dir>', 'data directory (AMPSTREAM_DATA_DIR, default ./data)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (AMPSTREAM_LOG_LEVEL, default info)')
    .option('--sqlite-synchronous <mode>', 'full (a 200 survives power loss) or normal (survives a crash) (AMPSTREAM_SQLITE_SYNCHRONOUS, default full)')
    .option('--customerio-url <url>', 'one URL standing in for both Customer.io regions, e.g. the simulator (AMPSTREAM_CUSTOMERIO_URL)')
    .addOption(
      new Option('--simulator [on|off]', 'run the Customer.io simulator in this process and deliver to it; not with --customerio-url (AMPSTREAM_SIMULATOR)').preset('on'),
    )
    .option('--simulator-port <port>', `the simulator's port on ${SIMULATOR_HOST} (AMPSTREAM_SIMULATOR_PORT, default ${SIMULATOR_DEFAULT_PORT}; 0 picks a free one)`)
    .option('--delivery <on|off>', 'off: plan deliveries and keep them, send nothing (AMPSTREAM_DELIVERY, default on)')
    .option('--config <file>', 'apply the syncs of this JSON file at start (AMPSTREAM_CONFIG)')
    .option('--trust-proxy <on|off>', 'on behind a TLS-terminating proxy: trust X-Forwarded-Proto/-For/-Host (AMPSTREAM_TRUST_PROXY, default off)');
  for (const setting of NUMERIC_SETTINGS) {
    serve.option(`--${setting.flag} <n>`, `${setting.description} (${setting.env}, default ${setting.default})`);
  }
  serve
    .action(async (flags: ServeFlags) => {
      const config = resolveServeConfig(flags);
      // loaded here, not at the top, so client commands start without loading the service
      const { startService } = await import('../service.js');
      const service = await startService(config);
      let signals = 0;
      const shutdown = (signal: string) => {
        signals++;
        if (signals > 1) {
          process.stderr.write(`${signal} again: exiting now\n`);
          process.exit(1);
        }
        process.stderr.write(`${signal}: finishing in-flight requests, then exiting\n`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`shutdown failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });

  const projects = program.command('projects').description('manage projects (each has an ingestion API key)');
  connectionOptions(
    projects
      .command('create')
      .description('create a project; prints its API key once')
      .requiredOption('--name <name>', 'project name')
      .option('--api-key <key>', 'use this API key instead of a generated one'),
  ).action(async (flags: AdminConnectionFlags & { name: string; apiKey?: string; json?: boolean }) => {
    const connection = resolveAdminConnection(flags);
    const body = flags.apiKey === undefined ? { name: flags.name } : { name: flags.name, api_key: flags.apiKey };
    const created = await adminRequest<ProjectView>(connection, 'POST', '/api/projects', body);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      return;
    }
    process.stdout.write(`created project ${created.id} "${created.name}"\napi key (shown once): ${created.api_key}\n`);
  });
  connectionOptions(projects.command('list').description('list projects')).action(
    async (flags: AdminConnectionFlags & { json?: boolean }) => {
      const connection = resolveAdminConnection(flags);
      const { projects: list } = await adminRequest<{ projects: ProjectView[] }>(connection, 'GET', '/api/projects');
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      printTable(
        ['id', 'name', 'api key', 'created'],
        list.map((p) => [String(p.id), cutToWidth(p.name, NAME_COLUMN_WIDTH), p.api_key_hint, p.created_at]),
      );
    },
  );
  registerSyncsCommand(program);
  registerOperationsCommands(program);
  registerSimulateCommand(program);
  return program;
}

/**
 * Runs the CLI. Exit codes: 0 done; 1 a negative answer (`syncs test` refused, `trace` found
 * nothing); 2 an error: a usage error (commander has printed it), a refusal by the server, or a
 * server that does not answer. Output piped into a reader that stops early (`| head`) ends the
 * process quietly with 0: the reader has what it wanted.
 */
export async function runCli(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; anything else commander throws is a usage error
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isAmpstreamError(error)) {
      process.stderr.write(`ampstream: ${error.message}${error.field === undefined ? '' : ` (${error.field})`}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`ampstream: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
