/** Plain HTTP calls to the simulator for its tests (fetch, no retries, raw bodies). */
import { after, before, beforeEach } from 'node:test';
import { startCustomerIoSimulator, type CustomerIoSimulator } from '../src/simulator/server.js';
import type { SimulatorOptions } from '../src/simulator/options.js';

export const US = { siteId: 'site-us', apiKey: 'key-us', region: 'us' as const };
export const EU = { siteId: 'site-eu', apiKey: 'key-eu', region: 'eu' as const };

/** A settable clock starting at 2026-01-01T00:00:00Z. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms), set: (ms) => (current = ms) };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<CustomerIoSimulator> {
  return startCustomerIoSimulator({ port: 0, host: '127.0.0.1', workspaces: [US, EU], rateLimitPerSecond: 10_000, ...options });
}

/**
 * Starts a simulator for the enclosing describe block and closes it after; it is reset before
 * each test unless `resetEach` is false. Returns a getter, valid from the first test on.
 */
export function useSimulator(options: SimulatorOptions = {}, { resetEach = true } = {}): () => CustomerIoSimulator {
  let simulator: CustomerIoSimulator | undefined;
  before(async () => {
    simulator = await startSimulator(options);
  });
  after(() => simulator?.close());
  if (resetEach) beforeEach(() => simulator?.reset());
  return () => {
    if (simulator === undefined) throw new Error('the simulator starts before the first test');
    return simulator;
  };
}

export function basic(siteId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: { auth?: { siteId: string; apiKey: string } | null; headers?: Record<string, string>; raw?: boolean } = {},
): Promise<CallResult> {
  const auth = options.auth === undefined ? US : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (auth !== null) headers.authorization = basic(auth.siteId, auth.apiKey);
  const init: RequestInit = { method, headers, redirect: 'manual' };
  if (body !== undefined) init.body = options.raw ? String(body) : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A v2 person event operation. */
export function eventOp(id: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'person', action: 'event', identifiers: { id }, name, ...extra };
}

/** A v2 person identify operation. */
export function identifyOp(id: string, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'person', action: 'identify', identifiers: { id }, attributes, ...extra };
}
