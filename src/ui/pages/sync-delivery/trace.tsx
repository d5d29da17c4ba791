/** The delivery page's event trace: the search by insert ID, user ID or device ID, and each event's steps per sync of its project. */
import { MAX_STRING_LENGTH } from '../../../amplitude/limits.js';
import type { EventTrace, SyncTrace, TraceStep } from '../../../engine/event-trace.js';
import { isEmptyLookup, lookupQuery, readTraceLookup, readTracePaging, TRACE_KEYS, TRACE_PAGE, type TraceKey, type TraceLookup } from '../../../engine/trace-lookup.js';
import { searchTracePage } from '../../../engine/trace-search.js';
import { givenMoreThanOnce, repeatedParameter } from '../../../query-params.js';
import { showHidden } from '../../../visible-text.js';
import { DataTable } from '../../components.js';
import { formatCount, formatTime } from '../../format.js';
import { Notice } from '../../layout.js';
import type { UiDependencies } from '../../ui-context.js';
import { DEAD_LETTER_CAUSES, errorSummary } from './delivery-labels.js';

/** What a person calls each key, in a sentence (the form's labels start with a capital). */
const KEY_WORDS: Record<TraceKey, string> = { insert_id: 'insert ID', user_id: 'user ID', device_id: 'device ID' };
const label = (key: TraceKey) => KEY_WORDS[key].charAt(0).toUpperCase() + KEY_WORDS[key].slice(1);

export interface TraceQuery {
  /** What the form shows: each key as given ('' when not given, or given more than once). */
  values: Record<TraceKey, string>;
  lookup: TraceLookup;
  /** The page asked for: the events after this seq (the "Show the next" link's). */
  after?: number;
  /** What is wrong with the request (a key given twice, a value too long), for a person to read. */
  problem?: string;
}

export const NO_TRACE_QUERY: TraceQuery = { values: { insert_id: '', user_id: '', device_id: '' }, lookup: {} };

/** The search a request asks for, read as the admin API reads it (engine/trace-lookup.ts). */
export function traceQueryOf(params: Record<string, unknown>): TraceQuery {
  const values = Object.fromEntries(TRACE_KEYS.map((key) => [key, typeof params[key] === 'string' ? params[key] : ''])) as Record<TraceKey, string>;
  const read = readTraceLookup(params);
  if ('problem' in read) return { values, lookup: {}, problem: read.problem.message };
  // the keys above say it with their hint; any other parameter given twice is refused too
  const repeated = repeatedParameter(params);
  if (repeated !== undefined) return { values, lookup: {}, problem: givenMoreThanOnce(repeated) };
  // the UI shows TRACE_PAGE events at a time; only `after` is read (a `limit` is the API's)
  const paging = readTracePaging({ after: params.after });
  if ('problem' in paging) return { values, lookup: {}, problem: paging.problem.message };
  return paging.paging.after === undefined ? { values, lookup: read.lookup } : { values, lookup: read.lookup, after: paging.paging.after };
}

/** The trace page of a search, from the events after `after` (none: the first page). */
function traceUrl(syncId: number, lookup: TraceLookup, after?: number): string {
  const query = new URLSearchParams(lookup);
  if (after !== undefined) query.set('after', String(after));
  return `/ui/syncs/${syncId}/trace?${query}`;
}

export interface TraceFound {
  traces: EventTrace[];
  /** Where the next page starts (the seq of the last event shown), null when no event follows. */
  nextAfter: number | null;
  /** The user a looked-up device belongs to now: the latest event that carried both ids (a login) linked them. */
  deviceUser?: string;
}

/** A page (TRACE_PAGE events, oldest first) of the traces of the project's events a search finds, or undefined when it asks for nothing. */
export async function findTraces(deps: UiDependencies, projectId: number, query: TraceQuery): Promise<TraceFound | undefined> {
  if (query.problem !== undefined || isEmptyLookup(query.lookup)) return undefined;
  const page = await searchTracePage(deps.store, { projectId, ...lookupQuery(query.lookup) }, { ...(query.after === undefined ? {} : { after: query.after }), limit: TRACE_PAGE });
  const found = { traces: page.traces, nextAfter: page.nextAfter };
  const device = query.lookup.device_id;
  const deviceUser = device === undefined ? undefined : await deps.store.getDeviceLink(projectId, device);
  return deviceUser === undefined ? found : { ...found, deviceUser };
}

function TraceForm({ syncId, query }: { syncId: number; query: TraceQuery }) {
  const action = `/ui/syncs/${syncId}/trace`;
  return (
    <form method="get" action={action} hx-get={action} hx-target="#trace-results" hx-swap="innerHTML" class="trace-form">
      {TRACE_KEYS.map((key) => {
        const id = `trace-${key.replace('_', '-')}`;
        return (
          <div class="field" key={key}>
            <label for={id}>{label(key)}</label>
            <input id={id} name={key} type="search" value={query.values[key]} maxLength={MAX_STRING_LENGTH} autocomplete="off" />
          </div>
        );
      })}
      <button type="submit" class="btn btn-primary">
        Trace
      </button>
    </form>
  );
}

const STEP_NAMES: Record<TraceStep['step'], string> = {
  planned: 'Planned',
  discarded: 'Discarded',
  attempt: 'Attempt',
  delivered: 'Delivered',
  dead_lettered: 'Dead-lettered',
  waiting: 'Waiting',
  filtered_out: 'Filtered out',
  not_planned: 'Not planned',
};

function stepWhen(step: TraceStep): string {
  if ('at' in step) return formatTime(Date.parse(step.at));
  if (step.step === 'waiting') return `next attempt ${formatTime(Date.parse(step.next_attempt_at))}`;
  return '—';
}

function StepDetails({ step }: { step: TraceStep }) {
  switch (step.step) {
    case 'planned':
      return (
        <details>
          <summary>
            {step.action === 'identify' ? 'User update' : 'Event'} (delivery {step.delivery_id})
            {step.cuts > 0 ? `, ${step.cuts} value${step.cuts === 1 ? '' : 's'} cut to fit` : ''}
          </summary>
          <pre class="json">{JSON.stringify(step.item, null, 2)}</pre>
        </details>
      );
    case 'attempt':
      if (step.outcome === 'replayed') return <span>sent again from the dead-letter store</span>;
      return (
        <span>
          {step.outcome}
          {step.status !== null ? ` (HTTP ${step.status})` : ''}
          {step.message !== undefined ? `: ${step.message}` : ''}
        </span>
      );
    case 'dead_lettered':
      return (
        <span>
          {DEAD_LETTER_CAUSES[step.cause] ?? step.cause}: {errorSummary(step.error)}
          {step.dropped_at !== null && <span class="muted"> (dropped {formatTime(Date.parse(step.dropped_at))})</span>}
        </span>
      );
    case 'waiting':
      return <span>{formatCount(step.attempts)} attempts so far</span>;
    case 'delivered':
      return <span>#{step.delivery_id}</span>;
    default:
      return <span>{step.reason}</span>;
  }
}

function SyncSteps({ trace, current }: { trace: SyncTrace; current: boolean }) {
  return (
    <DataTable caption={`${current ? 'This sync' : 'Sync'} “${trace.name}” (#${trace.sync_id})`} head={['Step', 'When', 'Details']}>
      {trace.steps.map((step, i) => (
        <tr key={i}>
          <th scope="row">{step.step === 'attempt' && step.outcome === 'replayed' ? 'Replayed' : STEP_NAMES[step.step]}</th>
          <td>{stepWhen(step)}</td>
          <td>
            <StepDetails step={step} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** "user ID “a” and device ID “b”": the keys a search gave, in words. */
function askedFor(lookup: TraceLookup): string {
  const parts = TRACE_KEYS.filter((key) => lookup[key] !== undefined).map((key) => `${KEY_WORDS[key]} “${showHidden(lookup[key] as string)}”`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function DeviceUser({ syncId, device, user }: { syncId: number; device: string; user: string }) {
  return (
    <p class="hint">
      Device ID “{device}” belongs to user “{user}” (its latest event with both IDs, a login, linked them). Its events before its first login were
      anonymous; each sync's steps below show what became of them.{' '}
      <a href={`/ui/syncs/${syncId}/trace?user_id=${encodeURIComponent(user)}`}>Trace user “{user}”</a> for the user's events from every device.
    </p>
  );
}

export function TraceResults({ syncId, query, found }: { syncId: number; query: TraceQuery; found: TraceFound | undefined }) {
  if (query.problem !== undefined) return <Notice kind="error">{query.problem}</Notice>;
  if (found === undefined) return <p class="hint">Give an insert ID, a user ID or a device ID to see what became of an event.</p>;
  const { traces } = found;
  const asked = askedFor(query.lookup);
  const first = query.after === undefined;
  if (traces.length === 0) {
    if (first) return <Notice kind="info">No event of this sync's project has {asked}.</Notice>;
    return (
      <div>
        <Notice kind="info">No more events with {asked}.</Notice>
        <TracePager syncId={syncId} query={query} found={found} />
      </div>
    );
  }
  const count = `${formatCount(traces.length)} event${traces.length === 1 ? '' : 's'}`;
  return (
    <div>
      <p role="status">
        {first && found.nextAfter === null
          ? `${count} with ${asked}.`
          : `${first ? `The first ${count}` : `${count}`} with ${asked}, oldest first${first ? '' : ` (after event #${query.after})`}${found.nextAfter === null ? '; no more follow.' : '; more follow.'}`}
      </p>
      {found.deviceUser !== undefined && query.lookup.device_id !== undefined && <DeviceUser syncId={syncId} device={query.lookup.device_id} user={found.deviceUser} />}
      {traces.map((trace) => (
        <article key={trace.seq} class="trace-event" aria-labelledby={`trace-${trace.seq}`}>
          <h3 id={`trace-${trace.seq}`}>
            {trace.event_type} <span class="mono muted">{trace.insert_id}</span>
          </h3>
          <dl class="facts">
            <div>
              <dt>User ID</dt>
              <dd class="mono">{trace.user_id ?? '—'}</dd>
            </div>
            <div>
              <dt>Device ID</dt>
              <dd class="mono">{trace.device_id ?? '—'}</dd>
            </div>
            <div>
              <dt>Event time</dt>
              <dd>{formatTime(trace.time)}</dd>
            </div>
            <div>
              <dt>Ingested</dt>
              <dd>
                {formatTime(Date.parse(trace.ingested.at))} via {trace.ingested.source} <span class="mono muted">{trace.ingested.request_id}</span>
              </dd>
            </div>
          </dl>
          {[...trace.syncs]
            .sort((a, b) => Number(b.sync_id === syncId) - Number(a.sync_id === syncId))
            .map((sync) => (
              <SyncSteps key={sync.sync_id} trace={sync} current={sync.sync_id === syncId} />
            ))}
        </article>
      ))}
      <TracePager syncId={syncId} query={query} found={found} />
    </div>
  );
}

/** The links between pages: the next page (when more follow) and back to the first. */
function TracePager({ syncId, query, found }: { syncId: number; query: TraceQuery; found: TraceFound }) {
  if (found.nextAfter === null && query.after === undefined) return null;
  return (
    <p class="pager">
      {found.nextAfter !== null && <a href={traceUrl(syncId, query.lookup, found.nextAfter)}>Show the next {TRACE_PAGE}</a>}
      {found.nextAfter !== null && query.after !== undefined && ' · '}
      {query.after !== undefined && <a href={traceUrl(syncId, query.lookup)}>Back to the first {TRACE_PAGE}</a>}
    </p>
  );
}

export function TraceSection({ syncId, query, found }: { syncId: number; query: TraceQuery; found: TraceFound | undefined }) {
  return (
    <section class="panel" aria-labelledby="trace-title">
      <h2 id="trace-title">Event trace</h2>
      <TraceForm syncId={syncId} query={query} />
      <div id="trace-results" aria-live="polite">
        <TraceResults syncId={syncId} query={query} found={found} />
      </div>
    </section>
  );
}
