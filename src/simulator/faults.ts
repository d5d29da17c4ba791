import { isPlainObject } from '../amplitude/plain-data.js';

/** Which requests a scripted reply applies to; every field given must match. */
export interface RequestMatch {
  method?: string;
  /** The Track path without a region prefix, e.g. `/api/v2/batch`. */
  path?: string;
  siteId?: string;
  /** A v2 request carries an operation whose `name` is this. */
  itemName?: string;
}

/** A whole reply chosen by rule: nothing is applied to the simulator's state. */
export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
}

/** A 207 for the operations named `itemName`: the other operations are applied as usual. */
export interface ScriptedItemRejection {
  reason: string;
  field: string;
  message: string;
}

export interface ScriptedRule {
  match: RequestMatch;
  /** Exactly one of `reply` and `rejectItems`. */
  reply?: ScriptedReply;
  rejectItems?: ScriptedItemRejection;
  /** How many requests the rule answers before it retires (default: every matching request). */
  times?: number;
}

/** Fault injection, set at start and changeable at run time. Rates are fractions from 0 to 1. */
export interface FaultSettings {
  /** Fraction of Track requests answered with a server error. */
  errorRate?: number;
  /** Statuses to pick from for those errors (default [503]); 5xx come with an HTML body. */
  errorStatuses?: number[];
  /** Milliseconds added before every Track reply. */
  latencyMs?: number;
  /** Fraction of Track requests whose connection is reset instead of answered. */
  resetRate?: number;
  /** Fraction of Track requests never answered (the client's timeout decides). */
  timeoutRate?: number;
  /** The next `count` Track requests get 429 (with `Retry-After: retryAfterSeconds` when given). */
  rateLimitBurst?: { count: number; retryAfterSeconds?: number };
  /** Rules checked in order; the first that matches decides. */
  scripted?: ScriptedRule[];
}

/** What the fault layer decided for one request. */
export type FaultAction =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'reply'; reply: ScriptedReply; source: string }
  | { kind: 'reject_items'; rule: ScriptedItemRejection & { itemName: string } };

/** The request facts rules are matched on. */
export interface FaultRequest {
  method: string;
  path: string;
  siteId: string | undefined;
  itemNames: readonly string[];
}

function fail(field: string, message: string): never {
  throw new Error(`faults.${field}: ${message}`);
}

function rate(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(field, 'must be a number from 0 to 1');
  return value;
}

function nonNegative(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(field, 'must be a number >= 0');
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(field, 'must be a string');
  return value;
}

function parseReply(value: unknown, field: string): ScriptedReply {
  if (!isPlainObject(value)) fail(field, 'must be an object');
  const status = value.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) fail(`${field}.status`, 'must be an HTTP status from 200 to 599');
  const headers = value.headers;
  if (headers !== undefined && (!isPlainObject(headers) || !Object.values(headers).every((v) => typeof v === 'string'))) {
    fail(`${field}.headers`, 'must map header names to strings');
  }
  return { status, ...(headers === undefined ? {} : { headers: headers as Record<string, string> }), ...(value.body === undefined ? {} : { body: value.body }) };
}

function parseRejection(value: unknown, field: string): ScriptedItemRejection {
  if (!isPlainObject(value)) fail(field, 'must be an object');
  return {
    reason: optionalString(value.reason, `${field}.reason`) ?? 'invalid',
    field: optionalString(value.field, `${field}.field`) ?? '',
    message: optionalString(value.message, `${field}.message`) ?? 'rejected by a scripted rule',
  };
}

function parseRule(value: unknown, index: number): ScriptedRule {
  const field = `scripted[${index}]`;
  if (!isPlainObject(value)) fail(field, 'must be an object');
  const match = value.match ?? {};
  if (!isPlainObject(match)) fail(`${field}.match`, 'must be an object');
  const parsedMatch: RequestMatch = {};
  for (const key of ['method', 'path', 'siteId', 'itemName'] as const) {
    const text = optionalString(match[key], `${field}.match.${key}`);
    if (text !== undefined) parsedMatch[key] = text;
  }
  if ((value.reply === undefined) === (value.rejectItems === undefined)) fail(field, 'needs exactly one of reply and rejectItems');
  if (value.rejectItems !== undefined && parsedMatch.itemName === undefined) fail(`${field}.match.itemName`, 'is required with rejectItems');
  const times = nonNegative(value.times, `${field}.times`);
  return {
    match: parsedMatch,
    ...(value.reply === undefined ? {} : { reply: parseReply(value.reply, `${field}.reply`) }),
    ...(value.rejectItems === undefined ? {} : { rejectItems: parseRejection(value.rejectItems, `${field}.rejectItems`) }),
    ...(times === undefined ? {} : { times }),
  };
}

/** Checks fault settings that came as JSON (config file, `PUT /_sim/faults`); throws with the field. */
export function parseFaultSettings(value: unknown): FaultSettings {
  if (!isPlainObject(value)) fail('', 'must be an object');
  const known = new Set(['errorRate', 'errorStatuses', 'latencyMs', 'resetRate', 'timeoutRate', 'rateLimitBurst', 'scripted']);
  for (const key of Object.keys(value)) if (!known.has(key)) fail(key, 'is not a fault setting');
  const settings: FaultSettings = {};
  const assign = <K extends keyof FaultSettings>(key: K, parsed: FaultSettings[K] | undefined) => {
    if (parsed !== undefined) settings[key] = parsed;
  };
  assign('errorRate', rate(value.errorRate, 'errorRate'));
  assign('resetRate', rate(value.resetRate, 'resetRate'));
  assign('timeoutRate', rate(value.timeoutRate, 'timeoutRate'));
  assign('latencyMs', nonNegative(value.latencyMs, 'latencyMs'));
  if (value.errorStatuses !== undefined) {
    const statuses = value.errorStatuses;
    if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)) {
      fail('errorStatuses', 'must be a non-empty list of statuses from 400 to 599');
    }
    settings.errorStatuses = statuses as number[];
  }
  if (value.rateLimitBurst !== undefined) {
    const burst = value.rateLimitBurst;
    if (!isPlainObject(burst)) fail('rateLimitBurst', 'must be an object');
    const count = nonNegative(burst.count, 'rateLimitBurst.count') ?? fail('rateLimitBurst.count', 'is required');
    const retryAfterSeconds = nonNegative(burst.retryAfterSeconds, 'rateLimitBurst.retryAfterSeconds');
    settings.rateLimitBurst = retryAfterSeconds === undefined ? { count } : { count, retryAfterSeconds };
  }
  if (value.scripted !== undefined) {
    if (!Array.isArray(value.scripted)) fail('scripted', 'must be a list of rules');
    settings.scripted = value.scripted.map(parseRule);
  }
  return settings;
}

/** A small seeded generator (mulberry32), so fault dice repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GATEWAY_HTML = (status: number) =>
  `<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error ${status}</title><p><b>${status}.</b> <ins>That’s an error.</ins></html>\n`;

function matches(match: RequestMatch, request: FaultRequest): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.path !== undefined && match.path !== request.path) return false;
  if (match.siteId !== undefined && match.siteId !== request.siteId) return false;
  if (match.itemName !== undefined && !request.itemNames.includes(match.itemName)) return false;
  return true;
}

/** Decides, request by request, which fault applies. Holds the run-time state (bursts, rule counts). */
export class FaultInjector {
  private settings: FaultSettings = {};
  private burstLeft = 0;
  private ruleUses: number[] = [];

  constructor(
    settings: FaultSettings,
    private readonly random: () => number,
  ) {
    this.set(settings);
  }

  set(settings: FaultSettings): void {
    this.settings = structuredClone(settings);
    this.burstLeft = settings.rateLimitBurst?.count ?? 0;
    this.ruleUses = (settings.scripted ?? []).map(() => 0);
  }

  /** The settings in force, with what is left of a 429 burst. */
  current(): FaultSettings & { rateLimitBurstLeft: number } {
    return { ...structuredClone(this.settings), rateLimitBurstLeft: this.burstLeft };
  }

  get latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  decide(request: FaultRequest): FaultAction {
    const s = this.settings;
    if (s.resetRate !== undefined && this.random() < s.resetRate) return { kind: 'reset' };
    if (s.timeoutRate !== undefined && this.random() < s.timeoutRate) return { kind: 'hang' };
    if (this.burstLeft > 0) {
      this.burstLeft--;
      const after = s.rateLimitBurst?.retryAfterSeconds;
      return {
        kind: 'reply',
        source: 'rateLimitBurst',
        reply: { status: 429, ...(after === undefined ? {} : { headers: { 'retry-after': String(after) } }), body: { meta: { error: 'rate limit exceeded' } } },
      };
    }
    if (s.errorRate !== undefined && this.random() < s.errorRate) {
      const statuses = s.errorStatuses ?? [503];
      const status = statuses[Math.floor(this.random() * statuses.length)] ?? 503;
      return { kind: 'reply', source: 'errorRate', reply: { status, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: GATEWAY_HTML(status) } };
    }
    const rules = s.scripted ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as ScriptedRule;
      const uses = this.ruleUses[i] ?? 0;
      if ((rule.times !== undefined && uses >= rule.times) || !matches(rule.match, request)) continue;
      this.ruleUses[i] = uses + 1;
      if (rule.reply !== undefined) return { kind: 'reply', reply: rule.reply, source: `scripted[${i}]` };
      if (rule.rejectItems !== undefined) return { kind: 'reject_items', rule: { ...rule.rejectItems, itemName: rule.match.itemName ?? '' } };
    }
    return { kind: 'none' };
  }
}

