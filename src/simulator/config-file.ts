import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import { parseFaultSettings } from './faults.js';
import { DEFAULT_LIMITS, type SimulatorLimits, type SimulatorOptions, type SimulatorWorkspace } from './options.js';

function fail(field: string, message: string): never {
  throw new Error(`simulator config: ${field} ${message}`);
}

function pick(source: JsonObject, snake: string, camel: string): unknown {
  return source[snake] ?? source[camel];
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') fail(field, 'must be a non-empty string');
  return value;
}

function workspaceFrom(value: unknown, index: number): SimulatorWorkspace {
  const field = `workspaces[${index}]`;
  if (!isPlainObject(value)) fail(field, 'must be an object');
  const region = value.region ?? 'us';
  if (region !== 'us' && region !== 'eu') fail(`${field}.region`, 'must be us or eu');
  const workspace: SimulatorWorkspace = {
    siteId: text(pick(value, 'site_id', 'siteId'), `${field}.site_id`),
    apiKey: text(pick(value, 'api_key', 'apiKey'), `${field}.api_key`),
    region,
  };
  const environmentId = pick(value, 'environment_id', 'environmentId');
  if (environmentId !== undefined) {
    if (!Number.isInteger(environmentId)) fail(`${field}.environment_id`, 'must be an integer');
    workspace.environmentId = environmentId as number;
  }
  const mode = pick(value, 'identifier_mode', 'identifierMode');
  if (mode !== undefined) {
    if (mode !== 'id' && mode !== 'email' && mode !== 'email_or_id') fail(`${field}.identifier_mode`, 'must be id, email or email_or_id');
    workspace.identifierMode = mode;
  }
  return workspace;
}

function limitsFrom(value: unknown): Partial<SimulatorLimits> {
  if (!isPlainObject(value)) fail('limits', 'must be an object');
  const limits: Partial<SimulatorLimits> = {};
  for (const key of Object.keys(value)) {
    if (!(key in DEFAULT_LIMITS)) fail(`limits.${key}`, 'is not a limit');
    const limit = value[key];
    if (key === 'entityTooLargeStatus') {
      if (limit !== 400 && limit !== 413) fail('limits.entityTooLargeStatus', 'must be 400 or 413');
      limits.entityTooLargeStatus = limit;
    } else {
      if (!Number.isInteger(limit) || (limit as number) <= 0) fail(`limits.${key}`, 'must be a positive integer');
      limits[key as Exclude<keyof SimulatorLimits, 'entityTooLargeStatus'>] = limit as number;
    }
  }
  return limits;
}

/**
 * Simulator options from a JSON config file: `port`, `host`, `workspaces` (`site_id`, `api_key`,
 * `region`, `environment_id`, `identifier_mode`), `rate_limit_per_second`, `rate_limit_retry_after`,
 * `events_create_people`, `limits`, `faults`, `seed`. Throws naming the field on bad input.
 */
export function parseSimulatorConfig(value: unknown): SimulatorOptions {
  if (!isPlainObject(value)) fail('', 'must be a JSON object');
  const options: SimulatorOptions = {};
  const port = value.port;
  if (port !== undefined) {
    if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) fail('port', 'must be 0 to 65535');
    options.port = port as number;
  }
  if (value.host !== undefined) options.host = text(value.host, 'host');
  if (value.workspaces !== undefined) {
    if (!Array.isArray(value.workspaces)) fail('workspaces', 'must be a list');
    options.workspaces = value.workspaces.map(workspaceFrom);
  }
  const rate = pick(value, 'rate_limit_per_second', 'rateLimitPerSecond');
  if (rate !== undefined) {
    if (typeof rate !== 'number' || !(rate > 0)) fail('rate_limit_per_second', 'must be a number above 0');
    options.rateLimitPerSecond = rate;
  }
  const retryAfter = pick(value, 'rate_limit_retry_after', 'rateLimitRetryAfter');
  if (retryAfter !== undefined) {
    if (typeof retryAfter !== 'boolean') fail('rate_limit_retry_after', 'must be true or false');
    options.rateLimitRetryAfter = retryAfter;
  }
  const createPeople = pick(value, 'events_create_people', 'eventsCreatePeople');
  if (createPeople !== undefined) {
    if (typeof createPeople !== 'boolean') fail('events_create_people', 'must be true or false');
    options.eventsCreatePeople = createPeople;
  }
  if (value.seed !== undefined) {
    if (!Number.isInteger(value.seed)) fail('seed', 'must be an integer');
    options.seed = value.seed as number;
  }
  if (value.limits !== undefined) options.limits = limitsFrom(value.limits);
  if (value.faults !== undefined) options.faults = parseFaultSettings(value.faults);
  return options;
}
