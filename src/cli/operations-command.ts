import type { Command } from 'commander';
import type { EventTrace, TraceStep } from '../engine/event-trace.js';
import { giveAKey, isEmptyLookup, readTraceLookup, readTracePaging, type TraceKey } from '../engine/trace-lookup.js';
import { givenMoreThanOnce } from '../query-params.js';
import { quoteInput } from '../visible-text.js';
import { AmpstreamError } from '../errors.js';
import type { MetricsSummary } from '../metrics/metrics-summary.js';
import { adminRequest, parseId, subcommand, type AdminConnection, type AdminConnectionFlags } from './admin-client.js';
import type { SyncReply } from './syncs-command.js';
import { cutToWidth, NAME_COLUMN_WIDTH, printTable } from './table.js';

type Flags = AdminConnectionFlags & { json?: boolean };
const write = (text: string) => process.stdout.write(text);

function age(iso: string | null, now: number): string {
  if (iso === null) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

/** `ampstream status`: one row per sync, with its backlog and last hour. */
async function status(connection: AdminConnection, flags: Flags): Promise<void> {
  const { syncs } = await adminRequest<{ syncs: SyncReply[] }>(connection, 'GET', '/api/syncs');
  const rows = [];
  for (const sync of syncs) {
    const hour = await adminRequest<MetricsSummary>(connection, 'GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${sync.id}&time_period=ONE_HOUR`);
    rows.push({ sync, hour });
  }
  if (flags.json) {
    write(`${JSON.stringify(rows.map(({ sync, hour }) => ({ id: sync.id, name: sync.name, enabled: sync.enabled, status: sync.status, deliveries: sync.deliveries, oldest_pending_at: sync.oldest_pending_at, dead_letters: sync.dead_letters, last_hour: hour })), null, 2)}\n`);
    return;
  }
  const now = Date.now();
  printTable(
    ['id', 'name', 'enabled', 'status', 'backlog', 'oldest', 'delivered 1h', 'failed 1h', 'p95 1h', 'dead letters'],
    rows.map(({ sync, hour }) => [
      String(sync.id),
      cutToWidth(sync.name, NAME_COLUMN_WIDTH),
      sync.enabled ? 'yes' : 'no',
      sync.status.state === 'paused' ? `paused: ${sync.status.problem}` : sync.status.state,
      String(sync.deliveries.pending),
      age(sync.oldest_pending_at, now),
      String(hour.eventsDelivered),
      String(hour.eventsNotDelivered),
      hour.eventsDelivered === 0 ? '-' : `${hour.latencyInSeconds.toFixed(2)}s`,
      String(sync.dead_letters),
    ]),
  );
  for (const { sync } of rows) {
    if (sync.status.state === 'paused') write(`sync ${sync.id} is paused since ${sync.status.since}: ${sync.status.reason}\n`);
  }
}

function stepLine(step: TraceStep): string {
  switch (step.step) {
    case 'planned':
      return `${step.at}  planned ${step.action} #${step.delivery_id}${step.cuts > 0 ? ` (${step.cuts} values cut)` : ''}`;
    case 'discarded':
      return `${step.at}  discarded ${step.action}: ${step.reason}`;
    case 'attempt':
      if (step.outcome === 'replayed') return `${step.at}  replayed from the dead-letter store`;
      return `${step.at}  request: ${step.outcome}${step.status === null ? '' : ` (${step.status})`}${step.message === undefined ? '' : ` ${step.message}`}`;
    case 'delivered':
      return `${step.at}  delivered #${step.delivery_id}`;
    case 'dead_lettered':
      return `${step.at}  dead-lettered #${step.delivery_id}: ${step.cause} ${JSON.stringify(step.error)}${step.dropped_at === null ? '' : ` (dropped ${step.dropped_at})`}`;
    case 'waiting':
      return `waiting: next attempt at ${step.next_attempt_at} (${step.attempts} attempts so far)`;
    case 'filtered_out':
      return `filtered out: ${step.reason}`;
    case 'not_planned':
      return `not planned: ${step.reason}`;
  }
}

/** A flag's values: one, or a list when it is given more than once (the lookup refuses that, naming it). */
type Repeatable = string | string[];
const repeatable = (value: string, previous: Repeatable | undefined): Repeatable => (previous === undefined ? value : [...[previous].flat(), value]);
const optionName = (key: TraceKey) => `--${key.replace('_', '-')}`;

/**
 * The admin API's errors in the CLI's words: a field the API names (`project_id`, a query
 * string's `querystring project_id: must be integer`) becomes the option that sets it (`--project`).
 */
async function inOptionNames<T>(options: Readonly<Record<string, string>>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AmpstreamError) || error.field === undefined || options[error.field] === undefined) throw error;
    const option = options[error.field] as string;
    const message = error.message.replace(/^(querystring|body|params) /, '').replace(new RegExp(`(^|[^\\w-])${error.field}(?![\\w-])`), `$1${option}`);
    throw new AmpstreamError(error.code, message, { field: option.slice(2) });
  }
}

/** The options of `ampstream trace` that the admin API names otherwise. */
const TRACE_OPTIONS = { project_id: '--project', after: '--after', limit: '--limit', insert_id: '--insert-id', user_id: '--user-id', device_id: '--device-id' };

type TraceFlags = Flags & { insertId?: Repeatable; userId?: Repeatable; deviceId?: Repeatable; project?: Repeatable; after?: Repeatable; limit?: Repeatable };

/** `ampstream trace`: an event's life per sync, a page at a time; its look-up is read as the admin API reads it. */
async function trace(connection: AdminConnection, flags: TraceFlags): Promise<void> {
  if (Array.isArray(flags.project)) throw new AmpstreamError('invalid_request', givenMoreThanOnce('--project'), { field: 'project' });
  if (flags.project !== undefined && !/^[1-9][0-9]{0,14}$/.test(flags.project)) {
    throw new AmpstreamError('invalid_request', `--project must be a project id, a positive integer (got ${quoteInput(flags.project)})`, { field: 'project' });
  }
  const read = readTraceLookup({ insert_id: flags.insertId, user_id: flags.userId, device_id: flags.deviceId }, optionName);
  if ('problem' in read) throw new AmpstreamError('invalid_request', read.problem.message, { field: optionName(read.problem.field).slice(2) });
  if (isEmptyLookup(read.lookup)) throw new AmpstreamError('invalid_request', giveAKey(optionName), { field: 'insert-id' });
  const paging = readTracePaging({ after: flags.after, limit: flags.limit }, (p) => `--${p}`);
  if ('problem' in paging) throw new AmpstreamError('invalid_request', paging.problem.message, { field: paging.problem.field });
  const query = new URLSearchParams(read.lookup);
  if (flags.project !== undefined) query.set('project_id', flags.project);
  if (paging.paging.after !== undefined) query.set('after', String(paging.paging.after));
  query.set('limit', String(paging.paging.limit));
  const { events, next_after: nextAfter } = await inOptionNames(TRACE_OPTIONS, () =>
    adminRequest<{ events: EventTrace[]; next_after: number | null }>(connection, 'GET', `/api/trace?${query}`),
  );
  if (events.length === 0) process.exitCode = 1; // like grep: a script can tell that nothing matched
  // stdout stays the JSON list with --json; where the next page starts goes to stderr then
  const more = nextAfter === null ? undefined : `more: run again with --after ${nextAfter}\n`;
  if (flags.json) {
    write(`${JSON.stringify(events, null, 2)}\n`);
    if (more !== undefined) process.stderr.write(more);
    return;
  }
  if (events.length === 0) write(flags.after === undefined ? 'no such event\n' : 'no more events\n');
  for (const event of events) {
    write(`event #${event.seq} ${JSON.stringify(event.event_type)} insert_id ${event.insert_id} person ${event.person}\n`);
    write(`  ${event.ingested.at}  ingested through ${event.ingested.source}, request ${event.ingested.request_id}\n`);
    for (const sync of event.syncs) {
      write(`  sync ${sync.sync_id} "${sync.name}":\n`);
      for (const step of sync.steps) write(`    ${stepLine(step)}\n`);
    }
  }
  if (more !== undefined) write(more);
}

type SelectionFlags = Flags & { ids?: string; reason?: string; from?: string; to?: string };

function selectionBody(flags: SelectionFlags): Record<string, unknown> {
  return {
    ...(flags.ids === undefined ? {} : { ids: flags.ids.split(',').map((id) => parseId(id.trim(), 'dead letter id')) }),
    ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    ...(flags.from === undefined ? {} : { from: flags.from }),
    ...(flags.to === undefined ? {} : { to: flags.to }),
  };
}

/** The selection's options, as the admin API names them. */
const SELECTION_OPTIONS = { ids: '--ids', reason: '--reason', from: '--from', to: '--to' };

const selectionOptions = (command: Command) =>
  command
    .option('--ids <ids>', 'comma-separated dead letter ids')
    .option('--reason <cause>', 'rejected, expired or too_large')
    .option('--from <time>', 'died at or after this ISO-8601 time')
    .option('--to <time>', 'died before this ISO-8601 time');

interface DeadLetterReply {
  id: number;
  person: string;
  action: string;
  reason: string;
  dead_at: string;
  attempts: number;
  error: unknown;
  item: { name?: string } | null;
}

/** `ampstream dead-letters list|show|replay|drop`. */
function registerDeadLetters(program: Command): void {
  const group = program.command('dead-letters').description("a sync's dead letters: list, show, replay (same event ids: nothing counted twice) or drop");
  subcommand(group, 'list <sync>', 'list dead letters, oldest first', async (connection, sync: string, flags: SelectionFlags) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(selectionBody({ ...flags, ids: undefined }))) query.set(key, String(value));
    const path = `/api/syncs/${parseId(sync, 'sync id')}/dead-letters?${query}&limit=1000`;
    const { dead_letters: list } = await inOptionNames(SELECTION_OPTIONS, () => adminRequest<{ dead_letters: DeadLetterReply[] }>(connection, 'GET', path));
    if (flags.json) {
      write(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    printTable(
      ['id', 'died', 'reason', 'action', 'person', 'attempts', 'error'],
      list.map((d) => [String(d.id), d.dead_at, d.reason, d.item?.name === undefined ? d.action : `${d.action} ${JSON.stringify(d.item.name)}`, d.person, String(d.attempts), JSON.stringify(d.error).slice(0, 80)]),
    );
  }, selectionOptions);
  subcommand(group, 'show <sync> <id>', 'one dead letter with its item and every request', async (connection, sync: string, id: string) => {
    const letter = await adminRequest<unknown>(connection, 'GET', `/api/syncs/${parseId(sync, 'sync id')}/dead-letters/${parseId(id, 'dead letter id')}`);
    write(`${JSON.stringify(letter, null, 2)}\n`);
  });
  subcommand(group, 'replay <sync>', 'send dead letters again now, with the same items and event ids', async (connection, sync: string, flags: SelectionFlags) => {
    const path = `/api/syncs/${parseId(sync, 'sync id')}/dead-letters/replay`;
    const result = await inOptionNames(SELECTION_OPTIONS, () => adminRequest<{ replayed: number[]; skipped: { id: number; reason: string }[] }>(connection, 'POST', path, selectionBody(flags)));
    if (flags.json) {
      write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    write(`replayed ${result.replayed.length}, skipped ${result.skipped.length}\n`);
    for (const skipped of result.skipped) write(`  skipped ${skipped.id}: ${skipped.reason}\n`);
  }, selectionOptions);
  subcommand(group, 'drop <sync>', 'take dead letters out of the list (they stay counted as not delivered)', async (connection, sync: string, flags: SelectionFlags) => {
    const path = `/api/syncs/${parseId(sync, 'sync id')}/dead-letters/drop`;
    const result = await inOptionNames(SELECTION_OPTIONS, () => adminRequest<{ dropped: number }>(connection, 'POST', path, selectionBody(flags)));
    write(flags.json ? `${JSON.stringify(result)}\n` : `dropped ${result.dropped}\n`);
  }, selectionOptions);
}

/** `ampstream status`, `ampstream trace` and `ampstream dead-letters …`. */
export function registerOperationsCommands(program: Command): void {
  subcommand(program, 'status', 'one line per sync: enabled, status, backlog, oldest pending, last hour, dead letters', status);
  subcommand(program, 'trace', "every step of an event's life per sync", trace, (c) =>
    c
      .option('--insert-id <id>', 'the event with this insert_id', repeatable)
      .option('--user-id <id>', "the user's events, oldest first", repeatable)
      .option('--device-id <id>', "the device's events, before and after a login linked it to a user, oldest first", repeatable)
      .option('--project <id>', 'only in this project', repeatable)
      .option('--limit <n>', 'events per page, 1 to 100 (default 20)', repeatable)
      .option('--after <seq>', 'the next page: the events after this one (what "more: run again with --after" says)', repeatable),
  );
  registerDeadLetters(program);
}
