import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveServeConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/service.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Calls the admin API of the server at `url` with the admin token and returns the reply's JSON body. */
export async function adminFetch(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const reply = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return reply.json();
}

export interface TestService extends RunningService {
  dataDir: string;
  /** The API key of the project the service created on first start. */
  apiKey: string;
  /** Calls the admin API with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Stops the service and removes its data directory. */
  dispose(): Promise<void>;
}

export function tempDir(prefix = 'ampstream-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts ampstream in this process on a free port with a fresh data directory. */
export async function startTestService(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<TestService> {
  const dataDir = options.dataDir ?? tempDir();
  const config = resolveServeConfig(
    { port: '0', host: '127.0.0.1', dataDir, logLevel: 'silent' },
    { AMPSTREAM_ADMIN_TOKEN: ADMIN_TOKEN, ...options.env },
  );
  let apiKey = '';
  const service = await startService(config, {
    announce: (line) => {
      const match = /API key \(shown once\): (\S+)/.exec(line);
      if (match) apiKey = match[1] as string;
    },
    logger: pino({ level: 'silent' }),
  });
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    ...service,
    dataDir,
    apiKey,
    admin,
    async dispose() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a project with a known API key. */
export async function createProject(service: TestService, name: string, apiKey: string): Promise<number> {
  const reply = await service.admin('POST', '/api/projects', { name, api_key: apiKey });
  if (reply.status !== 201) throw new Error(`project create failed: ${JSON.stringify(reply.body)}`);
  return reply.body.id as number;
}

export interface Reply {
  status: number;
  body: any;
  text: string;
}

async function toReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (the Identify API's `success`)
  }
  return { status: response.status, body, text };
}

/** POSTs a JSON body (an object is serialised; a string is sent as is). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return toReply(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** POSTs an application/x-www-form-urlencoded body. */
export async function postForm(url: string, fields: Record<string, string>): Promise<Reply> {
  return toReply(await fetch(url, { method: 'POST', body: new URLSearchParams(fields) }));
}

/** POSTs a multipart/form-data body. */
export async function postMultipart(url: string, fields: Record<string, string>): Promise<Reply> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return toReply(await fetch(url, { method: 'POST', body: form }));
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  return toReply(await fetch(url, init));
}

/**
 * Starts one service for the test file (before) and disposes of it (after); the returned getter
 * gives the running service inside tests.
 */
export function useTestService(options: Parameters<typeof startTestService>[0] = {}): Pick<TestService, 'url' | 'apiKey' | 'admin'> {
  let service: TestService | undefined;
  before(async () => {
    service = await startTestService(options);
  });
  after(async () => {
    await service?.dispose();
  });
  const running = (): TestService => {
    if (service === undefined) throw new Error('the test service is not running (use it inside tests)');
    return service;
  };
  return {
    get url() {
      return running().url;
    },
    get apiKey() {
      return running().apiKey;
    },
    admin: (method, path, body) => running().admin(method, path, body),
  };
}
