import { Option, type Command } from 'commander';
import { quoteInput } from '../visible-text.js';
import { readAdminToken } from '../admin-token.js';
import { AmpstreamError } from '../errors.js';
import { resolve } from 'node:path';

export interface AdminConnectionFlags {
  url?: string;
  token?: string;
  dataDir?: string;
}

export interface AdminConnection {
  url: string;
  token: string;
}

/** Adds the options of every command that calls the admin API: where it is, the token, --json. */
export function connectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'admin API base URL (default: AMPSTREAM_URL or http://127.0.0.1:$AMPSTREAM_PORT)'))
    .addOption(new Option('--token <token>', 'admin token (default: AMPSTREAM_ADMIN_TOKEN or <data-dir>/admin-token)'))
    .addOption(new Option('--data-dir <dir>', 'data directory holding admin-token (default: AMPSTREAM_DATA_DIR or ./data)'))
    .option('--json', 'print JSON instead of a table');
}

/**
 * Where the CLI finds the admin API: --url, else AMPSTREAM_URL, else the local server on
 * AMPSTREAM_PORT (8080); the token from --token, AMPSTREAM_ADMIN_TOKEN or the data directory.
 */
export function resolveAdminConnection(flags: AdminConnectionFlags, env: NodeJS.ProcessEnv = process.env): AdminConnection {
  const url = (flags.url ?? env.AMPSTREAM_URL ?? `http://127.0.0.1:${env.AMPSTREAM_PORT ?? '8080'}`).replace(/\/+$/, '');
  const dataDir = resolve(flags.dataDir ?? env.AMPSTREAM_DATA_DIR ?? './data');
  const token = flags.token ?? readAdminToken(dataDir, env.AMPSTREAM_ADMIN_TOKEN);
  if (token === undefined || token === '') {
    throw new AmpstreamError(
      'unauthorized',
      `no admin token: pass --token, set AMPSTREAM_ADMIN_TOKEN, or run from where ${dataDir} holds admin-token`,
    );
  }
  return { url, token };
}

/**
 * Calls the admin API; a non-2xx reply becomes an AmpstreamError with the server's message
 * (a 412 as `precondition_failed`). `headers`: more request headers (If-Match).
 */
export async function adminRequest<T>(
  connection: AdminConnection,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${connection.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new AmpstreamError('server_unreachable', `could not reach ${connection.url}: is \`ampstream serve\` running there?`, {
      cause: error,
    });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const reply = (parsed ?? {}) as { error?: string; message?: string; field?: string };
    const code = reply.error === 'unauthorized' || response.status === 401 ? 'unauthorized' : 'invalid_request';
    throw new AmpstreamError(
      response.status === 404 ? 'not_found' : response.status === 409 ? 'conflict' : response.status === 412 ? 'precondition_failed' : code,
      `${reply.message ?? `HTTP ${response.status}`}`,
      reply.field === undefined ? {} : { field: reply.field },
    );
  }
  return parsed as T;
}

/** A positive integer id from the command line; anything else is a clear error naming it. */
export function parseId(raw: string, what: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) {
    throw new AmpstreamError('invalid_request', `a ${what} is a positive integer (got ${quoteInput(raw)})`, { field: what.replace(/ /g, '_') });
  }
  return Number(raw);
}

/** Adds a subcommand that takes the connection options and turns its arguments into admin calls. */
export function subcommand<A extends unknown[]>(
  parent: Command,
  spec: string,
  description: string,
  run: (connection: AdminConnection, ...args: A) => Promise<void>,
  extra: (command: Command) => Command = (c) => c,
): Command {
  return connectionOptions(extra(parent.command(spec).description(description))).action(async (...args: unknown[]) => {
    const flags = args[args.length - 2] as AdminConnectionFlags;
    await run(resolveAdminConnection(flags), ...(args.slice(0, -1) as A));
  });
}
