import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CredentialTest, SyncState } from '../engine/sync-service.js';
import { AmpstreamError } from '../errors.js';
import { getOwn, hasOwn, isPlainObject } from '../amplitude/plain-data.js';
import { parseJsonText } from '../json-text.js';
import type { DeliveryCounts } from '../store/delivery-types.js';
import { parseRevision, revisionEtag } from '../sync/revision.js';
import type { SyncView } from '../sync/sync-schema.js';
import { adminRequest, parseId, subcommand, type AdminConnection, type AdminConnectionFlags } from './admin-client.js';
import { cutToWidth, NAME_COLUMN_WIDTH, printTable } from './table.js';

/** A sync as the admin API answers: its config without the Customer.io key, its status and counts. */
export type SyncReply = SyncView & {
  id: number;
  status: SyncState;
  deliveries: DeliveryCounts;
  oldest_pending_at: string | null;
  dead_letters: number;
  created_at: string;
  updated_at: string;
  revision: number;
};

type Flags = AdminConnectionFlags & { json?: boolean; ifMatch?: string };
type FileFlags = Flags & { file: string; patch?: boolean; force?: boolean };

const write = (text: string) => process.stdout.write(text);

const syncId = (raw: string) => parseId(raw, 'sync id');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The sync JSON of `--file PATH` (`-`: stdin). Errors name the file and the place, never its text. */
async function readSyncFile(path: string): Promise<unknown> {
  const source = path === '-' ? 'stdin' : path;
  let text: string;
  try {
    text = path === '-' ? await readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new AmpstreamError('invalid_request', `cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`, { field: 'file' });
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new AmpstreamError('invalid_request', `${source}: ${json.problem}`, { field: 'file' });
  return json.value;
}

function statusText(status: SyncState): string {
  if (status.state !== 'paused') return status.state;
  return `paused since ${status.since}: ${status.reason} (${status.problem})`;
}

function countsText(counts: DeliveryCounts): string {
  return `pending ${counts.pending}, delivered ${counts.delivered}, dead ${counts.dead}, discarded ${counts.discarded}`;
}

/** The sync's config alone, as `update --file` takes it back (`api_key_set: true` keeps the key). */
function configOf(sync: SyncReply): SyncView {
  const {
    id: _id,
    status: _status,
    deliveries: _deliveries,
    oldest_pending_at: _oldest,
    dead_letters: _deadLetters,
    created_at: _created,
    updated_at: _updated,
    revision: _revision,
    ...config
  } = sync;
  return config;
}

function showSync(sync: SyncReply): void {
  write(
    [
      `sync ${sync.id} "${sync.name}" (project ${sync.project_id})`,
      `status:     ${statusText(sync.status)}`,
      `deliveries: ${countsText(sync.deliveries)}`,
      `created:    ${sync.created_at}`,
      `updated:    ${sync.updated_at} (revision ${sync.revision})`,
      'config (the Customer.io api_key is write-only: never shown):',
      `${JSON.stringify(configOf(sync), null, 2)}\n`,
    ].join('\n'),
  );
}

/** One line saying what a change did, or the sync as JSON with --json. */
function reportChange(flags: Flags, verb: string, sync: SyncReply): void {
  if (flags.json) write(`${JSON.stringify(sync, null, 2)}\n`);
  else write(`${verb} sync ${sync.id} "${sync.name}" (project ${sync.project_id}): ${statusText(sync.status)}\n`);
}

/** The revision `--if-match` names: as show prints it (`3`; the ETag `"3"` too). */
function ifMatchFlag(flags: Flags): number | undefined {
  if (flags.ifMatch === undefined) return undefined;
  const revision = parseRevision(flags.ifMatch.replace(/^"(.*)"$/, '$1'));
  if (revision === undefined) {
    throw new AmpstreamError('invalid_request', `--if-match: a revision as show prints it, such as 3 (got ${JSON.stringify(flags.ifMatch)})`, { field: 'if-match' });
  }
  return revision;
}

/** Where a conditional change's revision came from, for the advice when it is refused. */
type Condition = { revision: number; from: 'flag' | 'file' };

/**
 * The revision `update` makes its change conditional on: --if-match, else the file's `revision`
 * (the file came from `show --json`, so it shows the sync at that revision) unless --force.
 */
function updateCondition(flags: FileFlags, body: unknown): Condition | undefined {
  if (flags.force && flags.ifMatch !== undefined) {
    throw new AmpstreamError('invalid_request', '--if-match and --force do not go together: --if-match updates only at that revision, --force whatever the revision', { field: 'force' });
  }
  const flag = ifMatchFlag(flags);
  if (flag !== undefined) return { revision: flag, from: 'flag' };
  if (flags.force || !isPlainObject(body) || !hasOwn(body, 'revision')) return undefined;
  const revision = getOwn(body, 'revision');
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 1) {
    const source = flags.file === '-' ? 'stdin' : flags.file;
    throw new AmpstreamError('invalid_request', `${source}: revision: must be the revision show --json printed (a positive integer), or leave it out; or use --force`, { field: 'file' });
  }
  return { revision, from: 'file' };
}

/**
 * Sends a change of sync `id` with If-Match when there is a condition; a 412 becomes a message
 * saying which revision the change was made from and which the sync is at now.
 */
async function conditional<T>(connection: AdminConnection, id: number, condition: Condition | undefined, method: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = condition === undefined ? {} : { 'if-match': revisionEtag(condition.revision) };
  try {
    return await adminRequest<T>(connection, method, `/api/syncs/${id}`, body, headers);
  } catch (error) {
    if (condition === undefined || !(error instanceof AmpstreamError) || error.code !== 'precondition_failed') throw error;
    const now = (await adminRequest<SyncReply>(connection, 'GET', `/api/syncs/${id}`)).revision;
    const what = now > condition.revision ? `changed since revision ${condition.revision} (now ${now})` : `is at revision ${now}, not ${condition.revision}`;
    const advice = condition.from === 'file' ? 'use --force' : 'leave out --if-match';
    throw new AmpstreamError('precondition_failed', `sync ${id} ${what}: nothing was ${method === 'DELETE' ? 'deleted' : 'changed'}; show it again, or ${advice}`);
  }
}

async function setEnabled(connection: AdminConnection, id: string, flags: Flags, enabled: boolean): Promise<void> {
  const revision = ifMatchFlag(flags);
  const sync = await conditional<SyncReply>(connection, syncId(id), revision === undefined ? undefined : { revision, from: 'flag' }, 'PATCH', { enabled });
  reportChange(flags, enabled ? 'enabled' : 'disabled', sync);
}

/** `--if-match <revision>`: for the commands that change a sync. */
const ifMatchOption = (command: Command) =>
  command.option('--if-match <revision>', 'change the sync only if it is still at this revision (as show prints it), else exit 2 with nothing changed');

/** `ampstream syncs …`: create, list, show, update, enable, disable, test and delete syncs through the admin API. */
export function registerSyncsCommand(program: Command): void {
  const syncs = program.command('syncs').description('manage syncs: which events and user updates go to which Customer.io workspace');
  const fileOption = (command: Command) => command.requiredOption('--file <path>', 'the sync JSON (docs/syncs.md); - reads stdin');

  subcommand(syncs, 'create', 'create a sync from its JSON', async (connection, flags: FileFlags) => {
    reportChange(flags, 'created', await adminRequest<SyncReply>(connection, 'POST', '/api/syncs', await readSyncFile(flags.file)));
  }, fileOption);

  subcommand(syncs, 'list', 'list syncs with their status and delivery counts', async (connection, flags: Flags & { project?: string }) => {
    const query = flags.project === undefined ? '' : `?project_id=${encodeURIComponent(flags.project)}`;
    const { syncs: list } = await adminRequest<{ syncs: SyncReply[] }>(connection, 'GET', `/api/syncs${query}`);
    if (flags.json) {
      write(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    printTable(
      ['id', 'project', 'name', 'status', 'pending', 'delivered', 'dead'],
      list.map((s) => [s.id, s.project_id, cutToWidth(s.name, NAME_COLUMN_WIDTH), s.status.state, s.deliveries.pending, s.deliveries.delivered, s.deliveries.dead].map(String)),
    );
  }, (c) => c.option('--project <id>', 'only the syncs of this project'));

  subcommand(syncs, 'show <id>', 'show a sync: its config (never the key), status and delivery counts', async (connection, id: string, flags: Flags) => {
    const sync = await adminRequest<SyncReply>(connection, 'GET', `/api/syncs/${syncId(id)}`);
    if (flags.json) write(`${JSON.stringify(sync, null, 2)}\n`);
    else showSync(sync);
  });

  subcommand(
    syncs,
    'update <id>',
    'replace a sync with the JSON of --file (an api_key left out is kept for the same site_id); --patch merges it instead. A "revision" in the file (show --json prints it) makes the update conditional: refused if the sync changed since',
    async (connection, id: string, flags: FileFlags) => {
      const body = await readSyncFile(flags.file);
      const condition = updateCondition(flags, body);
      reportChange(flags, 'updated', await conditional<SyncReply>(connection, syncId(id), condition, flags.patch ? 'PATCH' : 'PUT', body));
    },
    (c) =>
      ifMatchOption(fileOption(c).option('--patch', 'apply the file as a JSON merge patch (RFC 7386) instead of replacing the sync')).option(
        '--force',
        'update whatever the revision: ignore the "revision" of the file',
      ),
  );

  subcommand(syncs, 'enable <id>', 'plan and send deliveries for a sync again', (connection, id: string, flags: Flags) => setEnabled(connection, id, flags, true), ifMatchOption);
  subcommand(syncs, 'disable <id>', 'stop planning and sending for a sync', (connection, id: string, flags: Flags) => setEnabled(connection, id, flags, false), ifMatchOption);

  subcommand(syncs, 'test <id>', 'ask Customer.io whether it accepts the sync\'s credentials (exit 1 when it does not)', async (connection, id: string, flags: Flags) => {
    const result = await adminRequest<CredentialTest>(connection, 'POST', `/api/syncs/${syncId(id)}/test`);
    if (flags.json) write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.ok) write(`Customer.io accepts the credentials of sync ${id} (region ${result.region})\n`);
    else write(`Customer.io does not accept the credentials of sync ${id}: ${result.message} (${result.problem})\n`);
    if (!result.ok) process.exitCode = 1;
  });

  subcommand(syncs, 'delete <id>', 'delete a sync and its deliveries', async (connection, id: string, flags: Flags) => {
    const revision = ifMatchFlag(flags);
    await conditional<undefined>(connection, syncId(id), revision === undefined ? undefined : { revision, from: 'flag' }, 'DELETE');
    if (flags.json) write(`${JSON.stringify({ deleted: Number(id) })}\n`);
    else write(`deleted sync ${id}\n`);
  }, ifMatchOption);
}
