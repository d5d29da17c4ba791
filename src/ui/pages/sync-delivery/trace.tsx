/** The delivery page's event trace: the search by insert ID, user ID or device ID, and each event's steps per sync of its project. */
import { MAX_STRING_LENGTH } from '../../../amplitude/limits.js';
import type { EventTrace, SyncTrace, TraceStep } from '../../../engine/event-trace.js';
import { isEmptyLookup, lookupQuery, readTraceLookup, TRACE_KEYS, type TraceKey, type TraceLookup } from '../../../engine/trace-lookup.js';
import { searchTraces } from '../../../engine/trace-search.js';
import { DataTable } from '../../components.js';
import { formatCount, formatTime } from '../../format.js';
import { Notice } from '../../layout.js';
import type { UiDependencies } from '../../ui-context.js';
import { DEAD_LETTER_CAUSES, errorSummary } from './delivery-labels.js';

/** Events a trace search shows. */
const TRACE_LIMIT = 20;

/** What a person calls each key, in a sentence (the form's labels start with a capital). */
const KEY_WORDS: Record<TraceKey, string> = { insert_id: 'insert ID', user_id: 'user ID', device_id: 'device ID' };
const label = (key: TraceKey) => KEY_WORDS[key].charAt(0).toUpperCase() + KEY_WORDS[key].slice(1);

export interface TraceQuery {
  /** What the form shows: each key as given ('' when not given, or given more than once). */
  values: Record<TraceKey, string>;
  lookup: TraceLookup;
  /** What is wrong with the request (a key given twice, a value too long), for a person to read. */
  problem?: string;
}

export const NO_TRACE_QUERY: TraceQuery = { values: { insert_id: '', user_id: '', device_id: '' }, lookup: {} };

/** The search a request asks for, read as the admin API reads it (engine/trace-lookup.ts). */
export function traceQueryOf(params: Record<string, unknown>): TraceQuery {
  const values = Object.fromEntries(TRACE_KEYS.map((key) => [key, typeof params[key] === 'string' ? params[key] : ''])) as Record<TraceKey, string>;
  const read = readTraceLookup(params);
  return 'problem' in read ? { values, lookup: {}, problem: read.problem.message } : { values, lookup: read.lookup };
}

export interface TraceFound {
  traces: EventTrace[];
  /** The user a looked-up device belongs to now: the latest event that carried both ids (a login) linked them. */
  deviceUser?: string;
}

/** The traces of the project's events a search finds (the first TRACE_LIMIT), or undefined when it asks for nothing. */
export async function findTraces(deps: UiDependencies, projectId: number, query: TraceQuery): Promise<TraceFound | undefined> {
  if (query.problem !== undefined || isEmptyLookup(query.lookup)) return undefined;
  const traces = await searchTraces(deps.store, { projectId, ...lookupQuery(query.lookup), limit: TRACE_LIMIT });
  const device = query.lookup.device_id;
  const deviceUser = device === undefined ? undefined : await deps.store.getDeviceLink(projectId, device);
  return deviceUser === undefined ? { traces } : { traces, deviceUser };
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
  const parts = TRACE_KEYS.filter((key) => lookup[key] !== undefined).map((key) => `${KEY_WORDS[key]} “${lookup[key]}”`);
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
  if (traces.length === 0) return <Notice kind="info">No event of this sync's project has {asked}.</Notice>;
  return (
    <div>
      <p role="status">
        {traces.length === TRACE_LIMIT ? `The first ${TRACE_LIMIT} (oldest)` : formatCount(traces.length)} event{traces.length === 1 ? '' : 's'} with {asked}.
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
    </div>
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
