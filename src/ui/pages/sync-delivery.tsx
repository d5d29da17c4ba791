import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TraceStep, EventTrace, SyncTrace } from '../../engine/event-trace.js';
import { syncDetails, type SyncDetails } from '../../engine/sync-service.js';
import { searchTraces } from '../../engine/trace-search.js';
import { AmpstreamError } from '../../errors.js';
import { emptyDelta, HOUR_MS, MINUTE_MS } from '../../metrics/delivery-metrics.js';
import { seriesPoint } from '../../metrics/metrics-series.js';
import { resolvePeriod, summarize, type MetricsSummary, type PeriodRange, type TimePeriod } from '../../metrics/metrics-summary.js';
import { readDeliveryError, readStoredItem } from '../../store/delivery-error.js';
import type { DeadLetterSelection, DeliveryCounts, DeliveryRecord, FailureGroup, ReplayResult } from '../../store/delivery-types.js';
import { DeliveryChart, LatencyChart, type ChartFrame, type CountPoint, type LatencyPoint } from '../charts.js';
import { DataTable } from '../components.js';
import { formatAge, formatCount, formatRate, formatTime } from '../format.js';
import { sendFragment, sendPage } from '../html.js';
import { CsrfField, Layout, Notice, type PageContext } from '../layout.js';
import { SESSION_COOKIE } from '../session-store.js';
import { SyncStatus } from '../sync-status.js';
import { isHtmx, pageContext, type UiDependencies } from '../ui-context.js';

/** The periods the page offers (the summary API's, but CUSTOM). */
const PERIODS = ['TEN_MINUTES', 'ONE_HOUR', 'FOUR_HOURS', 'ONE_DAY', 'ONE_WEEK', 'TWO_WEEKS'] as const satisfies readonly TimePeriod[];
type Period = (typeof PERIODS)[number];
const PERIOD_LABELS: Record<Period, string> = {
  TEN_MINUTES: 'Last 10 minutes',
  ONE_HOUR: 'Last hour',
  FOUR_HOURS: 'Last 4 hours',
  ONE_DAY: 'Last 24 hours',
  ONE_WEEK: 'Last 7 days',
  TWO_WEEKS: 'Last 14 days',
};
const DEFAULT_PERIOD: Period = 'ONE_HOUR';

/** Dead letters per page of the table. */
const DEAD_LETTER_PAGE = 100;
/** Pending retries shown (the oldest first). */
const RETRIES_SHOWN = 50;
/** Pending deliveries read to find the retries among them. */
const PENDING_READ = 1000;
/** Events a trace search shows. */
const TRACE_LIMIT = 20;

function periodOf(value: unknown): Period {
  return PERIODS.find((p) => p === value) ?? DEFAULT_PERIOD;
}

function pageUrl(syncId: number, period: Period): string {
  return period === DEFAULT_PERIOD ? `/ui/syncs/${syncId}` : `/ui/syncs/${syncId}?period=${period}`;
}

/** The sync of a URL, or a 404 page for an id that names none. */
async function loadSync(deps: UiDependencies, idText: string): Promise<SyncDetails> {
  if (!/^[0-9]{1,15}$/.test(idText)) throw new AmpstreamError('not_found', `There is no sync ${idText}.`);
  return syncDetails(await deps.syncs.get(Number(idText)));
}

function shorten(text: string, max = 240): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `207 · invalid · attributes.note · property value cannot be …`: an error as stored (JSON or text), in one line. */
export function errorSummary(error: unknown): string {
  if (error === null || error === undefined) return '—';
  if (typeof error !== 'object') return shorten(String(error));
  const e = error as Record<string, unknown>;
  const parts = [e.status, e.reason ?? e.cause ?? e.problem, e.field, e.message, e.expired].filter((p) => p !== undefined && p !== null && p !== '');
  return shorten(parts.length === 0 ? JSON.stringify(error) : parts.map(String).join(' · '));
}

/** What a delivery sends: the event's name, or a user update (Send Users' identify). */
function itemLabel(d: DeliveryRecord): string {
  if (d.action === 'identify') return 'User update (identify)';
  const item = readStoredItem(d.itemJson);
  if (item !== null && typeof item === 'object') {
    const named = (item as { name?: unknown; event_type?: unknown }).name ?? (item as { event_type?: unknown }).event_type;
    if (typeof named === 'string') return named;
  }
  return 'event';
}

function personLabel(person: string): string {
  return person.replace(/^user:/, 'user ').replace(/^device:/, 'device ');
}

// ---------------------------------------------------------------- data

interface MetricsView {
  period: Period;
  range: PeriodRange;
  summary: MetricsSummary;
  frame: ChartFrame;
  counts: CountPoint[];
  latency: LatencyPoint[];
}

/** The summary (as the metrics summary API computes it) and a point per bucket of the period, empty buckets included. */
async function loadMetrics(deps: UiDependencies, syncId: number, period: Period): Promise<MetricsView> {
  const range = resolvePeriod(period, deps.clock());
  const buckets = await deps.store.metricBuckets(syncId, range.granularity, range.start, range.end);
  const unit = range.granularity === 'minute' ? MINUTE_MS : HOUR_MS;
  const byStart = new Map(buckets.map((b) => [b.start, b.delta]));
  const counts: CountPoint[] = [];
  const latency: LatencyPoint[] = [];
  for (let start = range.start; start < range.end; start += unit) {
    const point = seriesPoint(start, byStart.get(start) ?? emptyDelta());
    counts.push({ start, delivered: point.delivered, failed: point.failed });
    latency.push({ start, ...point.latency_ms });
  }
  return {
    period,
    range,
    summary: summarize(range, buckets.map((b) => b.delta)),
    frame: { id: 'chart', from: range.start, to: Math.ceil(range.end / unit) * unit, bucketMs: unit },
    counts,
    latency,
  };
}

interface DeadLetterView {
  syncId: number;
  period: Period;
  rows: DeliveryRecord[];
  total: number;
  after: number;
  hasMore: boolean;
  notice?: PageNotice | undefined;
}

async function loadDeadLetters(deps: UiDependencies, syncId: number, period: Period, after: number, notice?: PageNotice): Promise<DeadLetterView> {
  const rows = await deps.deadLetters.list(syncId, {}, after, DEAD_LETTER_PAGE + 1);
  const { deadLetters } = await deps.syncs.backlog(syncId);
  return { syncId, period, rows: rows.slice(0, DEAD_LETTER_PAGE), total: deadLetters, after, hasMore: rows.length > DEAD_LETTER_PAGE, notice };
}

interface PageNotice {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

const noticeKey = (syncId: number) => `delivery-notice-${syncId}`;

// ---------------------------------------------------------------- the top

function SyncHeader({ sync, projectName, counts, oldestPendingAt, deadLetters, now }: { sync: SyncDetails; projectName: string; counts: DeliveryCounts; oldestPendingAt: number | null; deadLetters: number; now: number }) {
  const status = sync.status;
  return (
    <section class="panel" aria-labelledby="sync-facts">
      <h2 id="sync-facts" class="visually-hidden">
        The sync
      </h2>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <SyncStatus status={status} />
            {status.state === 'paused' && <span class="muted"> since {formatTime(Date.parse(status.since))}</span>}
          </dd>
        </div>
        <div>
          <dt>Project</dt>
          <dd>{projectName}</dd>
        </div>
        <div>
          <dt>Backlog</dt>
          <dd>
            {formatCount(counts.pending)} pending
            {oldestPendingAt !== null && <span class="muted"> (oldest {formatAge(now - oldestPendingAt)})</span>}
          </dd>
        </div>
        <div>
          <dt>Dead letters</dt>
          <dd>
            <a href="#dead-letters">{formatCount(deadLetters)}</a>
          </dd>
        </div>
      </dl>
      <p class="actions">
        <a class="btn" href={`/ui/syncs/${sync.id}/edit`}>
          Edit this sync
        </a>
        <a href="/ui/syncs">All syncs</a>
      </p>
    </section>
  );
}

function PeriodForm({ syncId, period }: { syncId: number; period: Period }) {
  return (
    <form
      method="get"
      action={`/ui/syncs/${syncId}`}
      class="period-form"
      hx-get={`/ui/syncs/${syncId}`}
      hx-target="#delivery-metrics"
      hx-swap="outerHTML"
      hx-trigger="change, submit"
      hx-push-url="true"
    >
      <label for="period">Period</label>
      <select id="period" name="period">
        {PERIODS.map((p) => (
          <option key={p} value={p} selected={p === period}>
            {PERIOD_LABELS[p]}
          </option>
        ))}
      </select>
      <button type="submit" class="btn">
        Show
      </button>
    </form>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div class="card">
      <dt class="label">{label}</dt>
      <dd class="value">{value}</dd>
      {note !== undefined && <dd class="hint">{note}</dd>}
    </div>
  );
}

/** `0.045 s`: the summary's p95 latency as the API gives it (seconds), rounded to the millisecond. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}

function MetricsSection({ view }: { view: MetricsView }) {
  const s = view.summary;
  const unit = view.range.granularity;
  return (
    <section id="delivery-metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">
        {PERIOD_LABELS[view.period]}: {formatTime(view.range.start)} to {formatTime(view.range.end)}
      </h2>
      <dl class="cards">
        <Figure label="Delivered" value={formatCount(s.eventsDelivered)} />
        <Figure label="Not delivered" value={formatCount(s.eventsNotDelivered)} note="dead-lettered, expired included" />
        {/* the API answers 1 when nothing settled (Amplitude's convention); a person reads "—" */}
        <Figure label="Delivery rate" value={s.eventsDelivered + s.eventsNotDelivered === 0 ? '—' : formatRate(s.deliveryRate)} />
        <Figure label="Latency p95" value={formatSeconds(s.latencyInSeconds)} note="ingest to delivered" />
        <Figure label="First attempt" value={formatCount(s.successOnFirstAttempt)} />
        <Figure label="After a retry" value={formatCount(s.successAfterRetry)} />
        <Figure label="Expired" value={formatCount(s.eventsExpired)} />
        <Figure label="Discarded" value={formatCount(s.eventsDiscarded)} note="nothing to send (no identifier)" />
      </dl>
      <p class="hint">
        The same figures as <code>GET /api/2/event-streaming/delivery-metrics-summary?sync_id=…&amp;time_period={view.period}</code>. Counted per {unit}
        {unit === 'hour' ? ' (periods over 4 hours start on the hour)' : ''}.
      </p>
      <div class="charts">
        <DeliveryChart {...view.frame} id="chart-delivered" points={view.counts} />
        <LatencyChart {...view.frame} id="chart-latency" points={view.latency} />
      </div>
    </section>
  );
}

// ---------------------------------------------------------------- errors and retries

function ErrorsSection({ groups }: { groups: FailureGroup[] }) {
  return (
    <section class="panel" aria-labelledby="errors-title">
      <h2 id="errors-title">Error categories</h2>
      {groups.length === 0 ? (
        <p>No failures so far.</p>
      ) : (
        <DataTable caption="Failures by category and reason, since the sync was created (each failed request of an item counts), with the last samples" head={['Category', 'Reason', 'Failures', 'First', 'Last', 'Samples']}>
          {groups.map((g) => (
            <tr key={`${g.category}|${g.reason}`}>
              <th scope="row" class="mono">
                {g.category}
              </th>
              <td>{g.reason}</td>
              <td class="num">{formatCount(g.count)}</td>
              <td>{formatTime(g.firstAt)}</td>
              <td>{formatTime(g.lastAt)}</td>
              <td>
                <details>
                  <summary>
                    {g.samples.length} sample{g.samples.length === 1 ? '' : 's'}
                  </summary>
                  {g.samples.map((sample, i) => (
                    <div key={i} class="sample">
                      <p class="label">Reply: {sample.reply.status ?? 'none'}</p>
                      <pre class="json">{shorten(sample.reply.body, 2000)}</pre>
                      <p class="label">Item sent</p>
                      <pre class="json">{JSON.stringify(sample.item, null, 2)}</pre>
                    </div>
                  ))}
                </details>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function RetriesSection({ retries, now }: { retries: DeliveryRecord[]; now: number }) {
  return (
    <section class="panel" aria-labelledby="retries-title">
      <h2 id="retries-title">Pending retries</h2>
      {retries.length === 0 ? (
        <p>No delivery is waiting for a retry.</p>
      ) : (
        <DataTable
          caption={`Deliveries a request already carried, waiting for their next attempt (the first ${RETRIES_SHOWN} at most)`}
          head={['Id', 'Item', 'Person', 'Attempts', 'Next attempt', 'Last error']}
        >
          {retries.map((d) => (
            <tr key={d.id}>
              <th scope="row">{d.id}</th>
              <td>{itemLabel(d)}</td>
              <td class="mono">{personLabel(d.person)}</td>
              <td class="num">
                {formatCount(d.attempts)}
                {d.sends !== d.attempts && <span class="muted"> ({formatCount(d.sends)} requests)</span>}
              </td>
              <td>
                {formatTime(d.nextAttemptAt)}
                <span class="muted"> ({d.nextAttemptAt <= now ? 'due now' : `in ${formatAge(d.nextAttemptAt - now)}`})</span>
              </td>
              <td>{errorSummary(readDeliveryError(d.lastError))}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- dead letters

const CAUSES: Record<string, string> = { rejected: 'Refused by Customer.io', expired: 'Expired (out of attempts or time)', too_large: 'Too large to send' };

function DeadLetterSection({ view, context }: { view: DeadLetterView; context: PageContext }) {
  const base = `/ui/syncs/${view.syncId}/dead-letters`;
  const more = `/ui/syncs/${view.syncId}?${new URLSearchParams({ period: view.period, after: String(view.rows.at(-1)?.id ?? 0) }).toString()}#dead-letters`;
  return (
    <section id="dead-letters" class="panel" aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title" tabIndex={-1} autofocus={view.notice !== undefined}>
        Dead letters
      </h2>
      {view.notice !== undefined && <Notice kind={view.notice.kind}>{view.notice.text}</Notice>}
      {view.total === 0 ? (
        <p>The dead-letter store is empty: every item is delivered, discarded or still pending.</p>
      ) : (
        <form method="post" action={`${base}/replay`} hx-post={`${base}/replay`} hx-target="#dead-letters" hx-swap="outerHTML">
          <CsrfField context={context} />
          <input type="hidden" name="period" value={view.period} />
          <p>
            {formatCount(view.total)} item{view.total === 1 ? '' : 's'} Customer.io refused, that expired, or that are too large to send. A replay sends the same item
            with the same event id again (Customer.io drops an event id it has seen); a dropped one leaves this list and stays counted as not delivered.
          </p>
          <DataTable
            caption={`Dead letters, oldest first${view.after > 0 || view.hasMore ? ` (${formatCount(view.rows.length)} of ${formatCount(view.total)} on this page)` : ''}`}
            head={['Select', 'Id', 'Item', 'Person', 'Reason', 'Died', 'Error']}
          >
            {view.rows.map((d) => (
              <tr key={d.id}>
                <td class="check-cell">
                  <input type="checkbox" id={`dead-${d.id}`} name="ids" value={String(d.id)} />
                  <label for={`dead-${d.id}`} class="visually-hidden">
                    Select dead letter {d.id}
                  </label>
                </td>
                <th scope="row">{d.id}</th>
                <td>{itemLabel(d)}</td>
                <td class="mono">{personLabel(d.person)}</td>
                <td>{CAUSES[d.reason ?? ''] ?? d.reason ?? '—'}</td>
                <td>{formatTime(d.deadAt ?? d.createdAt)}</td>
                <td>{errorSummary(readDeliveryError(d.lastError))}</td>
              </tr>
            ))}
          </DataTable>
          {(view.hasMore || view.after > 0) && (
            <p>
              {view.hasMore && <a href={more}>Next {DEAD_LETTER_PAGE}</a>}
              {view.after > 0 && (
                <span>
                  {view.hasMore ? ' · ' : ''}
                  <a href={`${pageUrl(view.syncId, view.period)}#dead-letters`}>Back to the oldest</a>
                </span>
              )}
            </p>
          )}
          <div class="actions">
            <button type="submit" class="btn btn-primary">
              Replay selected
            </button>
            <button type="submit" name="all" value="1" class="btn">
              Replay all {formatCount(view.total)}
            </button>
            <button type="submit" formaction={`${base}/drop`} class="btn btn-danger">
              Drop selected…
            </button>
            <button type="submit" formaction={`${base}/drop`} name="all" value="1" class="btn btn-danger">
              Drop all…
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The second step of a drop: what will go, and a button that really does it. */
function DropConfirm({ syncId, period, ids, total, context }: { syncId: number; period: Period; ids: number[] | 'all'; total: number; context: PageContext }) {
  const count = ids === 'all' ? total : ids.length;
  const plural = count === 1 ? '' : 's';
  const listed = ids !== 'all' && ids.length <= 10 ? ` (${ids.join(', ')})` : '';
  const what = ids === 'all' ? `all ${formatCount(total)} dead letter${plural}` : `${formatCount(count)} dead letter${plural}${listed}`;
  const action = `/ui/syncs/${syncId}/dead-letters/drop`;
  return (
    <section id="dead-letters" class="panel panel-highlight" aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title" tabIndex={-1} autofocus>
        Drop {what}?
      </h2>
      <p>Dropped dead letters leave the list and can no longer be replayed. They stay counted as not delivered.</p>
      <form method="post" action={action} hx-post={action} hx-target="#dead-letters" hx-swap="outerHTML" class="actions">
        <CsrfField context={context} />
        <input type="hidden" name="period" value={period} />
        <input type="hidden" name="confirm" value="yes" />
        {ids === 'all' ? <input type="hidden" name="all" value="1" /> : ids.map((id) => <input key={id} type="hidden" name="ids" value={String(id)} />)}
        <button type="submit" class="btn btn-danger">
          Drop {count === 1 ? 'it' : `these ${formatCount(count)}`}
        </button>
        <a href={`${pageUrl(syncId, period)}#dead-letters`}>Cancel</a>
      </form>
    </section>
  );
}

interface DeadLetterForm {
  ids?: unknown;
  all?: unknown;
  period?: unknown;
  confirm?: unknown;
}

/** The dead letters a form selects: its ticked ids, every one (`all`), or none. */
function formSelection(body: DeadLetterForm | undefined): number[] | 'all' | undefined {
  if (body?.all === '1') return 'all';
  const raw = body?.ids;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > 10_000 || list.some((id) => typeof id !== 'string' || !/^[0-9]{1,15}$/.test(id))) {
    throw new AmpstreamError('invalid_request', 'The selection of dead letters is not a list of ids.');
  }
  return list.length === 0 ? undefined : [...new Set(list.map(Number))];
}

function toSelection(selected: number[] | 'all'): DeadLetterSelection {
  return selected === 'all' ? {} : { ids: selected };
}

/** `Replayed 2 (skipped 1: too large …)`: what a replay did, skips grouped by reason. */
export function replayNotice(result: ReplayResult): string {
  const replayed = result.replayed.length;
  if (replayed === 0 && result.skipped.length === 0) return 'Nothing replayed: the selected dead letters are no longer in the list.';
  const reasons = new Map<string, number>();
  for (const skip of result.skipped) reasons.set(skip.reason, (reasons.get(skip.reason) ?? 0) + 1);
  const why = [...reasons].map(([reason, count]) => (reasons.size === 1 ? reason : `${count} × ${reason}`)).join('; ');
  const skipped = result.skipped.length === 0 ? '' : ` (skipped ${formatCount(result.skipped.length)}: ${why})`;
  return `Replayed ${formatCount(replayed)}${skipped}.${replayed > 0 ? ' They are sent again now.' : ''}`;
}

// ---------------------------------------------------------------- trace

interface TraceQuery {
  insertId: string;
  userId: string;
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
          {CAUSES[step.cause] ?? step.cause}: {errorSummary(step.error)}
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

function TraceResults({ syncId, query, traces }: { syncId: number; query: TraceQuery; traces: EventTrace[] | undefined }) {
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

function TraceSection({ syncId, query, traces }: { syncId: number; query: TraceQuery; traces: EventTrace[] | undefined }) {
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

// ---------------------------------------------------------------- pages and routes

interface DeliveryPageProps {
  context: PageContext;
  sync: SyncDetails;
  projectName: string;
  counts: DeliveryCounts;
  oldestPendingAt: number | null;
  metrics: MetricsView;
  groups: FailureGroup[];
  retries: DeliveryRecord[];
  deadLetters: DeadLetterView;
  now: number;
}

function DeliveryPage(props: DeliveryPageProps) {
  const { context, sync, metrics } = props;
  return (
    <Layout title={sync.config.name} section="syncs" context={context}>
      <SyncHeader sync={sync} projectName={props.projectName} counts={props.counts} oldestPendingAt={props.oldestPendingAt} deadLetters={props.deadLetters.total} now={props.now} />
      <PeriodForm syncId={sync.id} period={metrics.period} />
      <MetricsSection view={metrics} />
      <ErrorsSection groups={props.groups} />
      <RetriesSection retries={props.retries} now={props.now} />
      <DeadLetterSection view={props.deadLetters} context={context} />
      <TraceSection syncId={sync.id} query={{ insertId: '', userId: '' }} traces={undefined} />
    </Layout>
  );
}

function TracePage({ context, sync, query, traces }: { context: PageContext; sync: SyncDetails; query: TraceQuery; traces: EventTrace[] | undefined }) {
  return (
    <Layout title={`Trace · ${sync.config.name}`} section="syncs" context={context}>
      <p>
        <a href={`/ui/syncs/${sync.id}`}>Back to the delivery of {sync.config.name}</a>
      </p>
      <TraceSection syncId={sync.id} query={query} traces={traces} />
    </Layout>
  );
}

async function projectName(deps: UiDependencies, projectId: number): Promise<string> {
  return (await deps.store.getProject(projectId))?.name ?? `project ${projectId}`;
}

function takeNotice(deps: UiDependencies, request: FastifyRequest, syncId: number): PageNotice | undefined {
  const text = deps.sessions.takeOnce(request.cookies[SESSION_COOKIE], noticeKey(syncId));
  return text === undefined ? undefined : (JSON.parse(text) as PageNotice);
}

/** After a replay or a drop: the dead-letter section again (htmx), or back to the page with the notice (a plain form). */
async function answerDeadLetters(deps: UiDependencies, request: FastifyRequest, reply: FastifyReply, syncId: number, period: Period, notice: PageNotice): Promise<FastifyReply> {
  if (isHtmx(request)) {
    const view = await loadDeadLetters(deps, syncId, period, 0, notice);
    return sendFragment(reply, <DeadLetterSection view={view} context={pageContext(reply, deps)} />);
  }
  deps.sessions.showOnce(request.cookies[SESSION_COOKIE], noticeKey(syncId), JSON.stringify(notice));
  return reply.code(303).header('location', `${pageUrl(syncId, period)}#dead-letters`).send();
}

const NOTHING_SELECTED: PageNotice = { kind: 'error', text: 'Select at least one dead letter first (or use the buttons for all of them).' };

/**
 * `/ui/syncs/:id`: a sync's delivery: status and backlog, the summary of a period with charts,
 * error categories, pending retries, the dead-letter store (replay, drop) and the event trace.
 */
export function syncDeliveryPages(app: FastifyInstance, deps: UiDependencies): void {
  app.get<{ Params: { id: string }; Querystring: { period?: string; after?: string } }>('/syncs/:id', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.query.period);
    const metrics = await loadMetrics(deps, sync.id, period);
    if (isHtmx(request) && request.headers['hx-target'] === 'delivery-metrics') return sendFragment(reply, <MetricsSection view={metrics} />);
    const after = /^[0-9]{1,15}$/.test(request.query.after ?? '') ? Number(request.query.after) : 0;
    const pending = await deps.syncs.deliveries(sync.id, 'pending', PENDING_READ);
    const backlog = await deps.syncs.backlog(sync.id);
    return sendPage(
      reply,
      <DeliveryPage
        context={pageContext(reply, deps)}
        sync={sync}
        projectName={await projectName(deps, sync.config.project_id)}
        counts={await deps.syncs.counts(sync.id)}
        oldestPendingAt={backlog.oldestPendingAt}
        metrics={metrics}
        groups={await deps.store.failureGroups(sync.id)}
        retries={pending.filter((d) => d.sends > 0).slice(0, RETRIES_SHOWN)}
        deadLetters={await loadDeadLetters(deps, sync.id, period, after, takeNotice(deps, request, sync.id))}
        now={deps.clock()}
      />,
    );
  });

  app.post<{ Params: { id: string }; Body: DeadLetterForm }>('/syncs/:id/dead-letters/replay', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.body?.period);
    const selected = formSelection(request.body);
    if (selected === undefined) return answerDeadLetters(deps, request, reply, sync.id, period, NOTHING_SELECTED);
    const result = await deps.deadLetters.replay(sync.id, toSelection(selected));
    return answerDeadLetters(deps, request, reply, sync.id, period, { kind: result.replayed.length > 0 ? 'ok' : 'info', text: replayNotice(result) });
  });

  app.post<{ Params: { id: string }; Body: DeadLetterForm }>('/syncs/:id/dead-letters/drop', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.body?.period);
    const selected = formSelection(request.body);
    if (selected === undefined) return answerDeadLetters(deps, request, reply, sync.id, period, NOTHING_SELECTED);
    if (request.body?.confirm !== 'yes') {
      const { deadLetters: total } = await deps.syncs.backlog(sync.id);
      const confirm = <DropConfirm syncId={sync.id} period={period} ids={selected} total={total} context={pageContext(reply, deps)} />;
      if (isHtmx(request)) return sendFragment(reply, confirm);
      return sendPage(
        reply,
        <Layout title={`Drop dead letters · ${sync.config.name}`} section="syncs" context={pageContext(reply, deps)}>
          {confirm}
        </Layout>,
      );
    }
    const dropped = await deps.deadLetters.drop(sync.id, toSelection(selected));
    const text = dropped === 0 ? 'Nothing dropped: the selected dead letters are no longer in the list.' : `Dropped ${formatCount(dropped)}. They stay counted as not delivered.`;
    return answerDeadLetters(deps, request, reply, sync.id, period, { kind: dropped > 0 ? 'ok' : 'info', text });
  });

  app.get<{ Params: { id: string }; Querystring: { insert_id?: string; user_id?: string } }>('/syncs/:id/trace', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 1000) : '');
    const query: TraceQuery = { insertId: text(request.query.insert_id), userId: text(request.query.user_id) };
    const traces =
      query.insertId === '' && query.userId === ''
        ? undefined
        : await searchTraces(deps.store, {
            projectId: sync.config.project_id,
            ...(query.insertId === '' ? {} : { insertId: query.insertId }),
            ...(query.userId === '' ? {} : { userId: query.userId }),
            limit: TRACE_LIMIT,
          });
    if (isHtmx(request) && request.headers['hx-target'] === 'trace-results') return sendFragment(reply, <TraceResults syncId={sync.id} query={query} traces={traces} />);
    return sendPage(reply, <TracePage context={pageContext(reply, deps)} sync={sync} query={query} traces={traces} />);
  });
}
