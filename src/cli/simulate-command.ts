import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { AmpstreamError } from '../errors.js';
import { parseSimulatorConfig } from '../simulator/config-file.js';
import { maskKey, parseWorkspaceSpec, type SimulatorOptions } from '../simulator/options.js';
import type { CustomerIoSimulator } from '../simulator/server.js';

interface SimulateFlags {
  port?: string;
  host?: string;
  workspace?: string[];
  rate?: string;
  config?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function number(value: string, flag: string, check: (n: number) => boolean): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || !check(parsed)) throw new Error(`${flag} ${JSON.stringify(value)} is not valid`);
  return parsed;
}

/** Options from the config file, then the flags over them. */
export function simulatorOptionsFromFlags(flags: SimulateFlags, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): SimulatorOptions {
  let options: SimulatorOptions = {};
  if (flags.config !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFile(flags.config));
    } catch (error) {
      throw new Error(`cannot read ${flags.config}: ${error instanceof Error ? error.message : String(error)}`);
    }
    options = parseSimulatorConfig(json);
  }
  if (flags.port !== undefined) options.port = number(flags.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.rate !== undefined) options.rateLimitPerSecond = number(flags.rate, '--rate', (n) => n > 0);
  if (flags.workspace !== undefined && flags.workspace.length > 0) options.workspaces = flags.workspace.map(parseWorkspaceSpec);
  return options;
}

/** What the command prints once the simulator listens; api keys are masked. */
export function describeSimulator(simulator: CustomerIoSimulator, rate: number): string {
  const rows = simulator.workspaces.map(
    (w) =>
      `  site_id ${w.siteId}  region ${w.region}  api_key ${maskKey(w.apiKey)}  environment_id ${w.environmentId}`,
  );
  return [
    `Customer.io Track API simulator listening on ${simulator.url}`,
    `  both regions: ${simulator.url}   (serve with AMPSTREAM_CUSTOMERIO_URL=${simulator.url})`,
    `  US host:      ${simulator.usUrl}`,
    `  EU host:      ${simulator.euUrl}`,
    `  inspection:   ${simulator.url}/_sim`,
    'workspaces:',
    ...rows,
    `rate limit: ${rate} requests/s per workspace`,
    '',
  ].join('\n');
}

export function registerSimulateCommand(program: Command): void {
  const simulate = program.command('simulate').description('run a local stand-in for a destination API');
  simulate
    .command('customerio')
    .description('run the Customer.io Track API simulator (v1 and v2, inspection API under /_sim)')
    .option('--port <port>', 'port to listen on (default 9100; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--workspace <site:key:region>', 'a workspace the simulator accepts; repeat for more (default sim-site-us:sim-key-us:us and sim-site-eu:sim-key-eu:eu)', collect)
    .option('--rate <req/s>', 'requests per second per workspace before 429 (default 100)')
    .option('--config <file.json>', 'JSON config: workspaces, rate limit, limits, faults (flags win)')
    .action(async (flags: SimulateFlags) => {
      let options: SimulatorOptions;
      try {
        options = simulatorOptionsFromFlags(flags);
      } catch (error) {
        throw new AmpstreamError('config_invalid', error instanceof Error ? error.message : String(error), { cause: error });
      }
      const { startCustomerIoSimulator } = await import('../simulator/server.js');
      const simulator = await startCustomerIoSimulator(options);
      process.stdout.write(describeSimulator(simulator, options.rateLimitPerSecond ?? 100));
      const stop = () => {
        simulator.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
