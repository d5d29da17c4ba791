import { readFileSync } from 'node:fs';
import { isPlainObject } from './amplitude/plain-data.js';
import { checkDisplayName, displayNameKey } from './display-names.js';
import type { CheckedSync, SyncService } from './engine/sync-service.js';
import { AmpstreamError, isAmpstreamError } from './errors.js';
import { parseJsonText } from './json-text.js';

/**
 * A declarative sync file (`ampstream serve --config FILE`):
 *
 *   { "syncs": [ { "name": "Customer.io (prod)", "project_id": 1, "customerio": { … }, … } ] }
 *
 * Each sync is matched by project and name (as names are compared: case, surrounding spaces and
 * Unicode composition aside, `displayNameKey` in src/display-names.ts): an existing one is
 * replaced by the file's version, a missing one is created; syncs not in the file are left alone.
 * The file applies whole or not at all: one sync refused, or two of one project with the same
 * name, and nothing is saved. A `customerio.api_key` of the form `env:NAME` is read from the
 * environment variable NAME, so the file need not hold the secret.
 */
export interface ConfigFileResult {
  created: number[];
  updated: number[];
  /** Syncs the file holds as they are stored: not saved again (their revision and a pause stay). */
  unchanged: number[];
}

/** A sync with its `env:NAME` key read from the environment. Errors name the field within the sync, as validation does. */
function resolveSecrets(sync: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!isPlainObject(sync) || !isPlainObject(sync.customerio)) return sync;
  const key = sync.customerio.api_key;
  if (typeof key !== 'string' || !key.startsWith('env:')) return sync;
  const name = key.slice(4);
  const value = env[name];
  if (value === undefined || value === '') {
    throw new AmpstreamError('config_invalid', `customerio.api_key: names the environment variable ${name}, which is not set`, {
      field: 'customerio.api_key',
    });
  }
  return { ...sync, customerio: { ...sync.customerio, api_key: value } };
}

/** A problem of the file at a place in it: `syncs.0.customerio.region` and what is wrong there. */
interface Problem {
  field: string;
  problem: string;
}

/**
 * An error about one sync of the file, placed in it: the field `syncs.0.customerio.region`, the
 * place said once (errors read `<field>: <problem>`).
 */
function inFile(where: string, error: AmpstreamError): Problem {
  if (error.field === undefined) return { field: where, problem: error.message };
  const field = `${where}.${error.field}`;
  const problem = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
  return { field, problem };
}

/**
 * Entries of one project whose names are the same name (as `displayNameKey` compares them): each
 * after the first is a problem naming the first. Names that are no names are validation's to refuse.
 */
function sameNames(entries: readonly unknown[]): Map<number, Problem> {
  const first = new Map<string, { index: number; name: string }>();
  const problems = new Map<number, Problem>();
  for (const [index, entry] of entries.entries()) {
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || typeof entry.project_id !== 'number' || !checkDisplayName(entry.name).ok) continue;
    const key = `${entry.project_id}\u0000${displayNameKey(entry.name)}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, { index, name: entry.name });
    else {
      problems.set(index, {
        field: `syncs.${index}.name`,
        problem: `${JSON.stringify(entry.name)} is the same name as syncs.${earlier.index} (${JSON.stringify(earlier.name)})`,
      });
    }
  }
  return problems;
}

/** The file's refusal: its one problem, or all of them, one a line. */
function refusal(path: string, problems: readonly Problem[]): AmpstreamError {
  const [only] = problems;
  if (problems.length === 1 && only !== undefined) return new AmpstreamError('config_invalid', `${path}: ${only.field}: ${only.problem}`, { field: only.field });
  const lines = problems.map((p) => `  ${p.field}: ${p.problem}`);
  return new AmpstreamError('config_invalid', [`${path}: ${problems.length} problems; nothing of the file was applied:`, ...lines].join('\n'));
}

/** The file's `syncs` list; an error when it cannot be read or is not such a file. */
function readSyncList(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AmpstreamError('config_invalid', `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { field: 'config' });
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new AmpstreamError('config_invalid', `${path}: ${json.problem}`, { field: json.field ?? 'config' });
  const parsed = json.value;
  if (!isPlainObject(parsed) || !Array.isArray(parsed.syncs)) {
    throw new AmpstreamError('config_invalid', `${path} must hold a JSON object with a "syncs" list`, { field: 'config' });
  }
  return parsed.syncs;
}

/**
 * Applies the file whole or not at all: every sync is checked first (its key, its settings, its
 * project, its name against the stored syncs and against the file's other syncs), every problem
 * is reported together, and only a file without any is saved, in one store transaction.
 */
export async function applySyncConfigFile(path: string, syncs: SyncService, env: NodeJS.ProcessEnv = process.env): Promise<ConfigFileResult> {
  const entries = readSyncList(path);
  const existing = await syncs.list();
  const duplicates = sameNames(entries);
  const problems: Problem[] = [];
  const checked: CheckedSync[] = [];
  for (const [index, raw] of entries.entries()) {
    try {
      const input = resolveSecrets(raw, env);
      const name = isPlainObject(input) ? input.name : undefined;
      const project = isPlainObject(input) ? Number(input.project_id) : Number.NaN;
      const key = typeof name === 'string' ? displayNameKey(name) : undefined;
      const match = existing.find((s) => s.projectId === project && displayNameKey(String((s.config as { name?: unknown }).name)) === key);
      checked.push(await syncs.check(input, match));
    } catch (error) {
      if (!isAmpstreamError(error)) throw error;
      problems.push(inFile(`syncs.${index}`, error));
    }
    const duplicate = duplicates.get(index);
    if (duplicate !== undefined) problems.push(duplicate);
  }
  if (problems.length > 0) throw refusal(path, problems);
  try {
    const saved = await syncs.saveAll(checked);
    return { created: saved.created.map((s) => s.id), updated: saved.updated.map((s) => s.id), unchanged: saved.unchanged.map((s) => s.id) };
  } catch (error) {
    if (!isAmpstreamError(error)) throw error;
    throw new AmpstreamError('config_invalid', `${path}: ${error.message}`, { field: 'config', cause: error });
  }
}
