import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postForm, postJson, type Reply } from './service.js';

/**
 * The cases with exact expected outputs (a copy of the planners' ../shared/cases, kept in the
 * repository so a fresh clone tests the same inputs).
 */
export const CASES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'cases');

export interface CaseStep {
  send?: { path: string; json?: unknown; form?: Record<string, string> };
  expect?: { status: number; body?: unknown };
  wait_ms?: number;
  admin?: string;
}

export interface Case {
  case: string;
  about: string;
  sync?: Record<string, unknown>;
  customerio?: unknown;
  steps: CaseStep[];
  delivered: unknown;
  not_delivered?: string;
  metrics?: Record<string, number>;
}

export function loadCases(): Case[] {
  return readdirSync(CASES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(CASES_DIR, name), 'utf8')) as Case);
}

export function loadCase(prefix: string): Case {
  const found = loadCases().find((c) => c.case.startsWith(prefix));
  if (found === undefined) throw new Error(`no case ${prefix} in ${CASES_DIR}`);
  return found;
}

/**
 * Checks a reply against a step's `expect`: the status, and for a JSON body every listed field
 * (other fields may be present); a string body must match exactly.
 */
export function assertExpected(reply: Reply, expected: NonNullable<CaseStep['expect']>, label: string): void {
  assert.equal(reply.status, expected.status, `${label}: status (${reply.text.slice(0, 300)})`);
  if (expected.body === undefined) return;
  if (typeof expected.body === 'string') {
    assert.equal(reply.text, expected.body, `${label}: body`);
    return;
  }
  for (const [field, value] of Object.entries(expected.body as Record<string, unknown>)) {
    assert.deepEqual(reply.body?.[field], value, `${label}: body.${field}`);
  }
}

/** Sends a step's request to the service; steps without `send` (waits, admin actions) give undefined. */
export async function sendStep(baseUrl: string, step: CaseStep): Promise<Reply | undefined> {
  if (step.send === undefined) return undefined;
  if (step.send.form !== undefined) return postForm(`${baseUrl}${step.send.path}`, step.send.form);
  return postJson(`${baseUrl}${step.send.path}`, step.send.json);
}
