/** The delivery page's event trace: the search by insert ID or user ID, and each event's steps per sync of its project. */
import type { EventTrace, SyncTrace, TraceStep } from '../../../engine/event-trace.js';
import { searchTraces } from '../../../engine/trace-search.js';
import { DataTable } from '../../components.js';
import { formatCount, formatTime } from '../../format.js';
import { Notice } from '../../layout.js';
import type { UiDependencies } from '../../ui-context.js';
import { DEAD_LETTER_CAUSES, errorSummary } from './delivery-labels.js';

/** Events a trace search shows. */
const TRACE_LIMIT = 20;

export interface TraceQuery {
  insertId: string;
  userId: string;
}

/** The search a request asks for: its insert ID and user ID, trimmed and cut to 1000 characters ('' when not given). */
export function traceQueryOf(params: { insert_id?: string; user_id?: string }): TraceQuery {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 1000) : '');
  return { insertId: text(params.insert_id), userId: text(params.user_id) };
}

/** The traces of the project's events a search finds (the first TRACE_LIMIT), or undefined when it asks for nothing. */
export async function findTraces(deps: UiDependencies, projectId: number, query: TraceQuery): Promise<EventTrace[] | undefined> {
  return query.insertId === '' && query.userId === ''
    ? undefined
    : await searchTraces(deps.store, {
        projectId,
        ...(query.insertId === '' ? {} : { insertId: query.insertId }),
        ...(query.userId === '' ? {} : { userId: query.userId }),
        limit: TRACE_LIMIT,
      });
}

function TraceForm({ syncId, query }: { syncId: number; query: TraceQuery }) {
  const action = `/ui/syncs/${syncId}/trace`;
  return (
    <form method="get" action={action} hx-get={action} hx-target="#trace-results" hx-swap="innerHTML" class="trace-form">
      <div class="field">
        <label for="trace-insert-id">Insert ID</label>
        <input id="trace-insert-id" name="insert_id" type="search" value={query.insertId} maxLength={1000} autocomplete="off" />
      </div>
      <div class="field">
        <label for="trace-user-id">User ID</label>
        <input id="trace-user-id" name="user_id" type="search" value={query.userId} maxLength={1000} autocomplete="off" />
      </div>
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

export function TraceResults({ syncId, query, traces }: { syncId: number; query: TraceQuery; traces: EventTrace[] | undefined }) {
  if (traces === undefined) return <p class="hint">Give an insert ID or a user ID to see what became of an event.</p>;
  const asked = [query.insertId !== '' ? `insert ID “${query.insertId}”` : '', query.userId !== '' ? `user ID “${query.userId}”` : ''].filter(Boolean).join(' and ');
  if (traces.length === 0) return <Notice kind="info">No event of this sync's project has {asked}.</Notice>;
  return (
    <div>
      <p role="status">
        {traces.length === TRACE_LIMIT ? `The first ${TRACE_LIMIT} (oldest)` : formatCount(traces.length)} event{traces.length === 1 ? '' : 's'} with {asked}.
      </p>
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

export function TraceSection({ syncId, query, traces }: { syncId: number; query: TraceQuery; traces: EventTrace[] | undefined }) {
  return (
    <section class="panel" aria-labelledby="trace-title">
      <h2 id="trace-title">Event trace</h2>
      <TraceForm syncId={syncId} query={query} />
      <div id="trace-results" aria-live="polite">
        <TraceResults syncId={syncId} query={query} traces={traces} />
      </div>
    </section>
  );
}
