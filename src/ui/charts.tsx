/**
 * Server-side SVG charts of a sync's delivery, pure: data in, a VNode out. No scripts and no
 * `style` attributes (the UI's CSP forbids inline styles): colours and sizes are SVG presentation
 * attributes. Each chart is an `img` for screen readers (a label that says what it shows and its
 * totals) and carries its numbers in a table under a <details>.
 */
import type { ComponentChildren } from 'preact';
import { DataTable } from './components.js';
import { formatCount } from './format.js';

/** Delivered and failed (dead-lettered) items of one bucket. */
export interface CountPoint {
  start: number;
  delivered: number;
  failed: number;
}

/** Latency percentiles (ms, ingest to delivered) of one bucket; null when nothing was delivered in it. */
export interface LatencyPoint {
  start: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** What every chart is drawn against: its id (unique on the page), the time range and the bucket size. */
export interface ChartFrame {
  id: string;
  /** Start of the time axis (ms, inclusive). */
  from: number;
  /** End of the time axis (ms). */
  to: number;
  /** How long one bucket is (ms): a minute or an hour. */
  bucketMs: number;
}

export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 240;
const MARGIN = { top: 12, right: 14, bottom: 34, left: 64 };
/** The plotting area inside the axes. */
export const PLOT = { left: MARGIN.left, right: CHART_WIDTH - MARGIN.right, top: MARGIN.top, bottom: CHART_HEIGHT - MARGIN.bottom };

export const COLOURS = { delivered: '#1c7c46', failed: '#b42318', p50: '#2f55d4', p95: '#9a6700', p99: '#b42318', grid: '#d8dde8', axis: '#5b6478' };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A number fit for an SVG attribute: finite, one decimal. */
function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

function finite(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A linear map from a domain onto a range; an empty domain maps everything to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (!Number.isFinite(span) || span === 0) return () => (r0 + r1) / 2;
  return (value) => (Number.isFinite(value) ? r0 + ((value - d0) / span) * (r1 - r0) : r0);
}

/**
 * Round ticks from 0 up to at least `max` (steps of 1, 2 or 5 × a power of ten), about `count` of
 * them; `integers` keeps the step at 1 or more (counts). Nothing to show still gives an axis 0…1.
 */
export function niceTicks(max: number, count = 4, integers = false): { top: number; ticks: number[] } {
  const limit = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = limit / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  let step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
  if (integers) step = Math.max(1, Math.round(step));
  const top = Math.ceil(limit / step) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step / 1e6; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { top, ticks };
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((m) => m * MINUTE_MS).concat([1, 2, 3, 6, 12].map((h) => h * HOUR_MS), [1, 2, 3, 7].map((d) => d * DAY_MS));

/** Ticks on whole minutes, hours or days (UTC) between `from` and `to`, at most about `count`. */
export function timeTicks(from: number, to: number, count = 5): { step: number; ticks: number[] } {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return { step: MINUTE_MS, ticks: Number.isFinite(from) ? [from] : [] };
  const span = to - from;
  const step = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / DAY_MS) * DAY_MS;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return { step, ticks };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** `14:05` (UTC), or `Dec 03` for ticks a day or more apart. */
export function timeLabel(ms: number, step: number): string {
  const date = new Date(ms);
  if (step >= DAY_MS) return `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())}`;
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** `2026-12-03 14:05` (UTC): a bucket's start in the tables and tooltips. */
function bucketLabel(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `250 ms`, `2.5 s`, `1.5 min`, `2 h`: a latency as its axis shows it. */
export function latencyLabel(ms: number): string {
  if (ms < 1000) return `${formatCount(Math.round(ms))} ms`;
  const short = (value: number) => String(Number(value.toFixed(1)));
  if (ms < MINUTE_MS) return `${short(ms / 1000)} s`;
  if (ms < HOUR_MS) return `${short(ms / MINUTE_MS)} min`;
  return `${short(ms / HOUR_MS)} h`;
}

function bucketWord(bucketMs: number): string {
  return bucketMs >= HOUR_MS ? 'hour' : 'minute';
}

interface Axes {
  x: (value: number) => number;
  y: (value: number) => number;
}

/** The grid, the value axis (left) and the time axis (bottom). */
function AxesLayer({ frame, yTicks, yLabel, axes }: { frame: ChartFrame; yTicks: number[]; yLabel: (value: number) => string; axes: Axes }) {
  const time = timeTicks(frame.from, frame.to);
  return (
    <g aria-hidden="true" font-size="13" fill={COLOURS.axis}>
      {yTicks.map((tick) => (
        <g key={`y${tick}`}>
          <line x1={n(PLOT.left)} x2={n(PLOT.right)} y1={n(axes.y(tick))} y2={n(axes.y(tick))} stroke={COLOURS.grid} stroke-width="1" />
          <text x={n(PLOT.left - 6)} y={n(axes.y(tick) + 4)} text-anchor="end">
            {yLabel(tick)}
          </text>
        </g>
      ))}
      <line x1={n(PLOT.left)} x2={n(PLOT.right)} y1={n(PLOT.bottom)} y2={n(PLOT.bottom)} stroke={COLOURS.axis} stroke-width="1" />
      {time.ticks.map((tick) => (
        <g key={`x${tick}`}>
          <line x1={n(axes.x(tick))} x2={n(axes.x(tick))} y1={n(PLOT.bottom)} y2={n(PLOT.bottom + 4)} stroke={COLOURS.axis} stroke-width="1" />
          <text x={n(axes.x(tick))} y={n(PLOT.bottom + 19)} text-anchor="middle">
            {timeLabel(tick, time.step)}
          </text>
        </g>
      ))}
      <text x={n(PLOT.right)} y={n(CHART_HEIGHT - 1)} text-anchor="end">
        UTC
      </text>
    </g>
  );
}

function EmptyNote({ children }: { children: string }) {
  return (
    <text x={n((PLOT.left + PLOT.right) / 2)} y={n((PLOT.top + PLOT.bottom) / 2)} text-anchor="middle" font-size="14" fill={COLOURS.axis}>
      {children}
    </text>
  );
}

interface FigureProps {
  frame: ChartFrame;
  title: string;
  /** What a screen reader says for the picture: what it shows and its totals. */
  summary: string;
  legend: { swatch: string; label: string }[];
  table: NumbersTable;
  children: ComponentChildren;
}

/** A chart's numbers: a row per bucket that has any (its start, then a cell per column). */
interface NumbersTable {
  caption: string;
  head: string[];
  rows: { start: number; cells: string[] }[];
}

function Numbers({ table }: { table: NumbersTable }) {
  if (table.rows.length === 0) return <p>No deliveries in this period.</p>;
  return (
    <DataTable caption={table.caption} head={table.head}>
      {table.rows.map((row) => (
        <tr key={row.start}>
          <th scope="row">{bucketLabel(row.start)}</th>
          {row.cells.map((cell, i) => (
            <td key={i} class="num">
              {cell}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}

/** A chart with its heading, accessible name and description, legend, and its numbers as a table. */
function ChartFigure({ frame, title, summary, legend, table, children }: FigureProps) {
  const titleId = `${frame.id}-title`;
  const descId = `${frame.id}-desc`;
  return (
    <figure class="chart" id={frame.id}>
      <figcaption class="chart-title">{title}</figcaption>
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
        width={CHART_WIDTH}
        height={CHART_HEIGHT}
        role="img"
        aria-label={`${title}. ${summary}`}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{summary}</desc>
        {children}
      </svg>
      <ul class="legend">
        {legend.map((item) => (
          <li key={item.swatch}>
            <span class={`swatch swatch-${item.swatch}`} aria-hidden="true"></span>
            {item.label}
          </li>
        ))}
      </ul>
      <details class="chart-data">
        <summary>The numbers</summary>
        <Numbers table={table} />
      </details>
    </figure>
  );
}

function timeAxis(frame: ChartFrame): (value: number) => number {
  return linearScale([frame.from, frame.to], [PLOT.left, PLOT.right]);
}

/** Delivered and failed items per bucket, as stacked bars (delivered below, failed on top). */
export function DeliveryChart({ points, ...frame }: ChartFrame & { points: readonly CountPoint[] }) {
  const clean = points.map((p) => ({ start: p.start, delivered: finite(p.delivered), failed: finite(p.failed) }));
  const shown = clean.filter((p) => p.delivered + p.failed > 0);
  const peak = shown.reduce((max, p) => Math.max(max, p.delivered + p.failed), 0);
  const totals = clean.reduce((sum, p) => ({ delivered: sum.delivered + p.delivered, failed: sum.failed + p.failed }), { delivered: 0, failed: 0 });
  const { top, ticks } = niceTicks(peak, 4, true);
  const axes = { x: timeAxis(frame), y: linearScale([0, top], [PLOT.bottom, PLOT.top]) };
  const slot = Math.max(1, axes.x(frame.from + finite(frame.bucketMs)) - axes.x(frame.from));
  const barWidth = slot >= 4 ? slot * 0.8 : slot;
  const unit = bucketWord(frame.bucketMs);
  const title = `Delivered and failed per ${unit}`;
  const summary =
    shown.length === 0
      ? 'Nothing was delivered or failed in this period.'
      : `${formatCount(totals.delivered)} delivered and ${formatCount(totals.failed)} failed in this period; at most ${formatCount(peak)} in one ${unit}.`;
  const table: NumbersTable = {
    caption: `Delivered and failed per ${unit} (UTC; ${unit}s without any are left out)`,
    head: ['Start (UTC)', 'Delivered', 'Failed'],
    rows: shown.map((p) => ({ start: p.start, cells: [formatCount(p.delivered), formatCount(p.failed)] })),
  };
  return (
    <ChartFigure
      frame={frame}
      title={title}
      summary={summary}
      legend={[
        { swatch: 'delivered', label: 'Delivered' },
        { swatch: 'failed', label: 'Failed (dead-lettered)' },
      ]}
      table={table}
    >
      <AxesLayer frame={frame} yTicks={ticks} yLabel={formatCount} axes={axes} />
      {shown.length === 0 && <EmptyNote>No deliveries in this period</EmptyNote>}
      {shown.map((p) => {
        const left = Math.max(PLOT.left, axes.x(p.start) + (slot - barWidth) / 2);
        const width = Math.max(0, Math.min(PLOT.right, left + barWidth) - left);
        const deliveredTop = axes.y(p.delivered);
        const failedTop = axes.y(p.delivered + p.failed);
        return (
          <g key={p.start}>
            <title>{`${bucketLabel(p.start)} UTC: ${formatCount(p.delivered)} delivered, ${formatCount(p.failed)} failed`}</title>
            {p.delivered > 0 && <rect x={n(left)} y={n(deliveredTop)} width={n(width)} height={n(PLOT.bottom - deliveredTop)} fill={COLOURS.delivered} />}
            {p.failed > 0 && <rect x={n(left)} y={n(failedTop)} width={n(width)} height={n(deliveredTop - failedTop)} fill={COLOURS.failed} />}
          </g>
        );
      })}
    </ChartFigure>
  );
}

const PERCENTILES = [
  { key: 'p50', label: 'p50', dash: undefined },
  { key: 'p95', label: 'p95', dash: '6 3' },
  { key: 'p99', label: 'p99', dash: '2 3' },
] as const;

/**
 * The SVG path of one series: a line through the points that have a value, broken where a bucket
 * has none; a point with no neighbour is drawn as a dot (returned apart).
 */
export function linePath(values: readonly { x: number; y: number | null }[]): { d: string; dots: { x: number; y: number }[] } {
  const parts: string[] = [];
  const dots: { x: number; y: number }[] = [];
  values.forEach((point, i) => {
    if (point.y === null || !Number.isFinite(point.y) || !Number.isFinite(point.x)) return;
    const before = values[i - 1];
    const after = values[i + 1];
    const joinsBefore = before !== undefined && before.y !== null && Number.isFinite(before.y);
    const joinsAfter = after !== undefined && after.y !== null && Number.isFinite(after.y);
    if (!joinsBefore && !joinsAfter) dots.push({ x: point.x, y: point.y });
    parts.push(`${joinsBefore ? 'L' : 'M'}${n(point.x)} ${n(point.y)}`);
  });
  return { d: parts.join(' '), dots };
}

/** Latency from ingest to delivered per bucket: p50, p95 and p99 as lines (dashed differently). */
export function LatencyChart({ points, ...frame }: ChartFrame & { points: readonly LatencyPoint[] }) {
  const valid = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const clean = points.map((p) => ({ start: p.start, p50: valid(p.p50), p95: valid(p.p95), p99: valid(p.p99) }));
  const shown = clean.filter((p) => p.p50 !== null || p.p95 !== null || p.p99 !== null);
  const peak = shown.reduce((max, p) => Math.max(max, p.p50 ?? 0, p.p95 ?? 0, p.p99 ?? 0), 0);
  const { top, ticks } = niceTicks(peak, 4, true);
  const axes = { x: timeAxis(frame), y: linearScale([0, top], [PLOT.bottom, PLOT.top]) };
  const half = finite(frame.bucketMs) / 2;
  const unit = bucketWord(frame.bucketMs);
  const title = `Latency per ${unit}, ingest to delivered (p50, p95, p99)`;
  const highest = shown.reduce((max, p) => Math.max(max, p.p95 ?? 0), 0);
  const summary =
    shown.length === 0
      ? 'Nothing was delivered in this period, so there is no latency to show.'
      : `Latency in ${formatCount(shown.length)} ${unit}${shown.length === 1 ? '' : 's'} with deliveries; the highest p95 was ${latencyLabel(highest)} and the highest p99 ${latencyLabel(peak)}.`;
  const cell = (v: number | null) => (v === null ? '—' : formatCount(v));
  const table: NumbersTable = {
    caption: `Latency per ${unit} in ms (UTC; ${unit}s without deliveries are left out)`,
    head: ['Start (UTC)', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)'],
    rows: shown.map((p) => ({ start: p.start, cells: [cell(p.p50), cell(p.p95), cell(p.p99)] })),
  };
  return (
    <ChartFigure frame={frame} title={title} summary={summary} legend={PERCENTILES.map((s) => ({ swatch: s.key, label: s.label }))} table={table}>
      <AxesLayer frame={frame} yTicks={ticks} yLabel={latencyLabel} axes={axes} />
      {shown.length === 0 && <EmptyNote>No deliveries in this period</EmptyNote>}
      {PERCENTILES.map((series) => {
        const path = linePath(clean.map((p) => ({ x: axes.x(p.start + half), y: p[series.key] === null ? null : axes.y(p[series.key] as number) })));
        return (
          <g key={series.key} stroke={COLOURS[series.key]} fill={COLOURS[series.key]}>
            {path.d !== '' && <path d={path.d} fill="none" stroke-width="2" stroke-dasharray={series.dash} stroke-linejoin="round" />}
            {path.dots.map((dot) => (
              <circle key={`${dot.x}`} cx={n(dot.x)} cy={n(dot.y)} r="3" />
            ))}
          </g>
        );
      })}
    </ChartFigure>
  );
}
