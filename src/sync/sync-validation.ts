import { Ajv } from 'ajv';
import { checkDisplayName } from '../display-names.js';
import { getOwn, hasOwn, isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';
import { AmpstreamError } from '../errors.js';
import { validationError } from '../validation-errors.js';
import { NONE_OPERATORS, NUMERIC_OPERATORS } from './clause-operators.js';
import { FILTER_FIELDS, isUserUpdateEventType } from './event-filter.js';
import { numericValue } from './filter-values.js';
import { applyMergePatch } from './merge-patch.js';
import { NONE_VALUE, SyncConfigSchema, type SyncConfig, type WhereClause } from './sync-schema.js';

/**
 * How a sync config arrives: `create` (a new sync), `replace` (a whole config for an existing
 * sync: PUT) or `patch` (a JSON merge patch over the existing config: PATCH).
 */
export type SyncInputMode = 'create' | 'replace' | 'patch';

/** Strict: no coercion, unknown fields refused; missing optional parts get the schema's defaults. */
const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: true, discriminator: true, verbose: true, strict: false });
const checkSchema = ajv.compile<SyncConfig>(SyncConfigSchema);

const PROJECT_ID_TEXT = /^[0-9]{1,15}$/;
const FILTER_FIELD_SET: ReadonlySet<string> = new Set(FILTER_FIELDS);

function invalid(field: string, message: string): AmpstreamError {
  return new AmpstreamError('invalid_request', `${field}: ${message}`, { field });
}

function objectAt(parent: JsonObject, key: string): JsonObject | undefined {
  const value = getOwn(parent, key);
  return isPlainObject(value) ? value : undefined;
}

/** `project_id` may be sent as a numeric string (it is one in URLs); the config holds a number. */
function normalizeProjectId(candidate: JsonObject): void {
  const value = getOwn(candidate, 'project_id');
  if (typeof value === 'string') {
    if (!PROJECT_ID_TEXT.test(value)) throw invalid('project_id', 'must be a positive integer or a numeric string');
    candidate.project_id = Number(value);
  }
}

/**
 * `api_key_set: true`, as the API shows a sync, may be sent back (it says nothing): removed. Returns
 * whether it was there. Any other value is refused: a key is changed by sending `api_key`.
 */
function takeBackApiKeySet(customerio: JsonObject): boolean {
  if (!hasOwn(customerio, 'api_key_set')) return false;
  if (customerio.api_key_set !== true) {
    throw invalid('customerio.api_key_set', 'only true (as the API shows it) may be sent back; send customerio.api_key to change the key');
  }
  delete customerio.api_key_set;
  return true;
}

/**
 * The Customer.io key is write-only, so a replace or patch may leave it out to keep the existing
 * one. `api_key_set: true`, as the API shows a sync, may be sent back and means the same. A key
 * belongs to one site, so a new `site_id` needs its key: returns true when the key was left out
 * with another `site_id`. The existing key stands in meanwhile, so the schema check (which runs
 * first) names a `site_id` that is itself wrong (empty, not a string) rather than the key.
 */
function keepExistingApiKey(candidate: JsonObject, input: JsonObject, existing: SyncConfig): boolean {
  const customerio = objectAt(candidate, 'customerio');
  if (customerio === undefined) return false;
  takeBackApiKeySet(customerio);
  const keyGiven = hasOwn(objectAt(input, 'customerio') ?? {}, 'api_key');
  if (keyGiven) return false;
  setOwn(customerio, 'api_key', existing.customerio.api_key);
  return hasOwn(customerio, 'site_id') && getOwn(customerio, 'site_id') !== existing.customerio.site_id;
}

/** The input as a whole config, before defaults (merged over the existing one for patch and replace), and what the key checks found. */
interface Candidate {
  candidate: JsonObject;
  /** A replace or patch moved to another site without its key (refused after the schema check). */
  newSiteNeedsKey: boolean;
  /** A create sent `api_key_set: true` (a sync as GET shows it, being copied). */
  copiedView: boolean;
}

function candidateConfig(input: JsonObject, mode: SyncInputMode, existing: SyncConfig | undefined): Candidate {
  if (mode === 'create') {
    const candidate = structuredClone(input);
    normalizeProjectId(candidate);
    const customerio = objectAt(candidate, 'customerio');
    return { candidate, newSiteNeedsKey: false, copiedView: customerio !== undefined && takeBackApiKeySet(customerio) };
  }
  if (existing === undefined) throw new Error(`validateSyncInput: mode ${mode} needs the existing sync`);
  const candidate = mode === 'patch' ? (applyMergePatch(structuredClone(existing), input) as JsonObject) : structuredClone(input);
  if (mode === 'replace' && !hasOwn(candidate, 'project_id')) candidate.project_id = existing.project_id;
  normalizeProjectId(candidate);
  if (hasOwn(candidate, 'project_id') && candidate.project_id !== existing.project_id) {
    throw invalid('project_id', 'a sync stays in its project; create a new sync for another project');
  }
  return { candidate, newSiteNeedsKey: keepExistingApiKey(candidate, input, existing), copiedView: false };
}

function checkClause(clause: WhereClause, path: string): void {
  if (clause.scope === 'field' && !FILTER_FIELD_SET.has(clause.property)) {
    throw invalid(`${path}.property`, `${JSON.stringify(clause.property)} is not an event field (one of: ${FILTER_FIELDS.join(', ')})`);
  }
  if (NUMERIC_OPERATORS.has(clause.op) && (clause.values.length !== 1 || numericValue(clause.values[0]) === undefined)) {
    throw invalid(`${path}.values`, `"${clause.op}" compares with exactly one number`);
  }
  if (!NONE_OPERATORS.has(clause.op) && clause.values.includes(NONE_VALUE)) {
    throw invalid(`${path}.values`, `${NONE_VALUE} goes only with ${[...NONE_OPERATORS].join(', ')}`);
  }
}

/**
 * The name as stored: a new or changed name is trimmed and checked by the rules for names. A
 * sync's unchanged name stays as it is, so a sync named before a rule existed can still be
 * switched off or edited (renaming it is checked).
 */
function checkName(config: SyncConfig, existing: SyncConfig | undefined): void {
  if (existing !== undefined && config.name === existing.name) return;
  const check = checkDisplayName(config.name);
  if (!check.ok) throw invalid('name', check.problem);
  config.name = check.name;
}

/** What the schema cannot say: the name's rules, user-update rows, unknown fields, operator values. */
function checkMeaning(config: SyncConfig, existing: SyncConfig | undefined): void {
  checkName(config, existing);
  config.send_events.events.forEach((row, rowIndex) => {
    const rowPath = `send_events.events.${rowIndex}`;
    if (isUserUpdateEventType(row.event_type)) {
      throw invalid(`${rowPath}.event_type`, `${row.event_type} events are user updates (see send_users), never sent as events`);
    }
    row.where.forEach((clause, clauseIndex) => checkClause(clause, `${rowPath}.where.${clauseIndex}`));
  });
}

/** What a value that should have been an object is, in words (never the value itself: it may hold a key). */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * Validates a sync config from the API, the CLI or a config file and returns it complete, with
 * every default filled in. Throws `AmpstreamError('invalid_request')` naming the first bad field
 * as a dotted path (`send_events.events.0.where.1.op`); unknown fields are errors. `patch` applies
 * the input as a JSON merge patch over `existing` (lists replace whole; `null` resets a part to
 * its default). Error messages never contain the Customer.io key.
 */
export function validateSyncInput(input: unknown, mode: 'create'): SyncConfig;
export function validateSyncInput(input: unknown, mode: SyncInputMode, existing: SyncConfig): SyncConfig;
export function validateSyncInput(input: unknown, mode: SyncInputMode, existing?: SyncConfig): SyncConfig {
  if (!isPlainObject(input)) {
    throw new AmpstreamError('invalid_request', `a sync must be a JSON object such as {"name": …, "project_id": …, "customerio": {…}}; got ${kindOf(input)}`);
  }
  const { candidate, newSiteNeedsKey, copiedView } = candidateConfig(input, mode, existing);
  if (!checkSchema(candidate)) {
    const error = validationError(checkSchema.errors ?? []);
    if (copiedView && error.field === 'customerio.api_key' && !hasOwn(objectAt(candidate, 'customerio') ?? {}, 'api_key')) {
      throw invalid('customerio.api_key', 'required: GET never shows the key; a new sync needs it sent, also when it copies another one');
    }
    throw error;
  }
  if (newSiteNeedsKey) throw invalid('customerio.api_key', 'required when customerio.site_id changes (a Track API key belongs to one site)');
  checkMeaning(candidate, existing);
  return candidate;
}
