import { readFileSync } from 'node:fs';
import { isPlainObject } from './amplitude/plain-data.js';
import { displayNameKey } from './display-names.js';
import type { SyncService } from './engine/sync-service.js';
import { AmpstreamError, isAmpstreamError } from './errors.js';
import { parseJsonText } from './json-text.js';

/**
 * A declarative sync file (`ampstream serve --config FILE`):
 *
 *   { "syncs": [ { "name": "Customer.io (prod)", "project_id": 1, "customerio": { … }, … } ] }
 *
 * Each sync is matched by project and name (as names are compared: case and surrounding spaces
 * aside, src/display-names.ts): an existing one is replaced by the file's version, a
 * missing one is created; syncs not in the file are left alone. A `customerio.api_key` of the form
 * `env:NAME` is read from the environment variable NAME, so the file need not hold the secret.
 */
export interface ConfigFileResult {
  created: number[];
  updated: number[];
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

/**
 * An error about one sync of the file, placed in the file: `FILE: syncs.0.customerio.region: …`
 * with the field `syncs.0.customerio.region`, the place said once (errors read `<field>: <problem>`).
 */
function inFile(path: string, where: string, error: AmpstreamError): AmpstreamError {
  if (error.field === undefined) return new AmpstreamError('config_invalid', `${path}: ${where}: ${error.message}`, { field: where });
  const field = `${where}.${error.field}`;
  const problem = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
  return new AmpstreamError('config_invalid', `${path}: ${field}: ${problem}`, { field });
}

export async function applySyncConfigFile(path: string, syncs: SyncService, env: NodeJS.ProcessEnv = process.env): Promise<ConfigFileResult> {
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
  const result: ConfigFileResult = { created: [], updated: [] };
  const existing = await syncs.list();
  for (const [index, raw] of parsed.syncs.entries()) {
    const where = `syncs.${index}`;
    try {
      const input = resolveSecrets(raw, env);
      const name = isPlainObject(input) ? input.name : undefined;
      const project = isPlainObject(input) ? Number(input.project_id) : Number.NaN;
      const key = typeof name === 'string' ? displayNameKey(name) : undefined;
      const match = existing.find((s) => s.projectId === project && displayNameKey(String((s.config as { name?: unknown }).name)) === key);
      if (match === undefined) result.created.push((await syncs.create(input)).id);
      else result.updated.push((await syncs.update(match.id, input, 'replace')).id);
    } catch (error) {
      if (!isAmpstreamError(error)) throw error;
      throw inFile(path, where, error);
    }
  }
  return result;
}
