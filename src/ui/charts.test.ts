import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryChart, PLOT, LatencyChart, latencyLabel, linePath, linearScale, niceTicks, timeLabel, timeTicks, type CountPoint, type LatencyPoint } from './charts.js';
import { renderHtml } from './html.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2026, 11, 3, 10, 0);
const frame = { id: 'c', from: FROM, to: FROM + HOUR, bucketMs: MINUTE };

function counts(points: CountPoint[], overrides: Partial<typeof frame> = {}): string {
  return renderHtml(DeliveryChart({ ...frame, ...overrides, points }));
}

function latency(points: LatencyPoint[], overrides: Partial<typeof frame> = {}): string {
  return renderHtml(LatencyChart({ ...frame, ...overrides, points }));
}

/** Every attribute value of the SVG: none may be NaN, Infinity or undefined. */
function assertCleanAttributes(html: string): void {
  const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0];
  assert.ok(svg !== undefined, 'an svg is rendered');
  for (const match of svg.matchAll(/\s([a-z-]+)="([^"]*)"/g)) {
    assert.doesNotMatch(match[2] as string, /NaN|Infinity|undefined|null/, `${match[1]}="${match[2]}"`);
  }
}

/** The numbers of an attribute over the rects of a fill colour. */
function rects(html: string, fill: string): { x: number; y: number; width: number; height: number }[] {
  return [...html.matchAll(/<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" fill="([^"]+)"/g)]
    .filter((m) => m[5] === fill)
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }));
}

describe('chart scales and ticks', () => {
  it('maps a domain linearly onto a range, and an empty domain onto its middle', () => {
    const y = linearScale([0, 100], [200, 0]);
    assert.equal(y(0), 200);
    assert.equal(y(50), 100);
    assert.equal(y(100), 0);
    assert.equal(linearScale([5, 5], [0, 10])(5), 5);
    assert.equal(linearScale([0, 10], [0, 100])(Number.NaN), 0);
  });

  it('picks round value ticks from 0 up to at least the maximum', () => {
    assert.deepEqual(niceTicks(7, 4, true), { top: 8, ticks: [0, 2, 4, 6, 8] });
    assert.deepEqual(niceTicks(100, 4), { top: 100, ticks: [0, 50, 100] });
    assert.deepEqual(niceTicks(1234, 4).ticks, [0, 500, 1000, 1500]);
    assert.deepEqual(niceTicks(0, 4, true), { top: 1, ticks: [0, 1] }, 'nothing to show still has an axis');
    assert.deepEqual(niceTicks(Number.NaN, 4), niceTicks(1, 4));
    assert.deepEqual(niceTicks(0.3, 3).ticks, [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(3, 4, true).ticks, [0, 1, 2, 3], 'counts step by whole numbers');
  });

  it('puts time ticks on whole minutes, hours or days (UTC)', () => {
    const hour = timeTicks(FROM, FROM + HOUR);
    assert.equal(hour.step, 15 * MINUTE);
    assert.deepEqual(hour.ticks.map((t) => timeLabel(t, hour.step)), ['10:00', '10:15', '10:30', '10:45', '11:00']);
    const ten = timeTicks(FROM + 30_000, FROM + 10 * MINUTE + 30_000);
    assert.deepEqual(ten.ticks.map((t) => timeLabel(t, ten.step)), ['10:02', '10:04', '10:06', '10:08', '10:10']);
    const week = timeTicks(Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 8));
    assert.equal(week.step, 2 * 24 * HOUR);
    assert.ok(week.ticks.every((t) => t % (24 * HOUR) === 0));
    assert.match(timeLabel(week.ticks[0] as number, week.step), /^Dec \d{2}$/);
    assert.deepEqual(timeTicks(FROM, FROM).ticks, [FROM], 'an empty range has one tick');
    assert.deepEqual(timeTicks(Number.NaN, FROM).ticks, []);
  });

  it('labels latencies in the largest fitting unit', () => {
    assert.equal(latencyLabel(250), '250 ms');
    assert.equal(latencyLabel(2500), '2.5 s');
    assert.equal(latencyLabel(90_000), '1.5 min');
    assert.equal(latencyLabel(2 * HOUR), '2 h');
  });

  it('draws a line through neighbours, breaks it at gaps, and a dot for a lone point', () => {
    const path = linePath([
      { x: 0, y: 10 },
      { x: 1, y: 20 },
      { x: 2, y: null },
      { x: 3, y: 5 },
      { x: 4, y: null },
    ]);
    assert.equal(path.d, 'M0 10 L1 20 M3 5');
    assert.deepEqual(path.dots, [{ x: 3, y: 5 }]);
    assert.deepEqual(linePath([]), { d: '', dots: [] });
  });
});

describe('the delivered and failed chart', () => {
  it('stacks failed on delivered, with heights in proportion and bars inside the plot', () => {
    const html = counts([
      { start: FROM, delivered: 8, failed: 0 },
      { start: FROM + 10 * MINUTE, delivered: 4, failed: 4 },
      { start: FROM + 59 * MINUTE, delivered: 2, failed: 0 },
    ]);
    assertCleanAttributes(html);
    const delivered = rects(html, '#1c7c46');
    const failed = rects(html, '#b42318');
    assert.equal(delivered.length, 3);
    assert.equal(failed.length, 1);
    const [full, half, quarter] = delivered as [(typeof delivered)[0], (typeof delivered)[0], (typeof delivered)[0]];
    assert.ok(Math.abs(full.height - 2 * half.height) < 0.2, 'twice the count, twice the height');
    assert.ok(Math.abs(half.height - 2 * quarter.height) < 0.2);
    assert.ok(Math.abs((failed[0]?.height ?? 0) - half.height) < 0.2);
    assert.ok(Math.abs((failed[0]?.y ?? 0) + (failed[0]?.height ?? 0) - half.y) < 0.2, 'failed sits on top of delivered');
    assert.ok(full.x < half.x && half.x < quarter.x, 'later buckets further right');
    for (const r of [...delivered, ...failed]) assert.ok(r.x >= PLOT.left && r.x + r.width <= PLOT.right + 0.05, JSON.stringify(r));
    assert.match(html, /role="img"/);
    assert.match(html, /aria-label="Delivered and failed per minute\. 14 delivered and 4 failed in this period; at most 8 in one minute\."/);
    assert.match(html, /<title id="c-title">Delivered and failed per minute<\/title>/);
    assert.match(html, /<desc id="c-desc">/);
    assert.match(html, />10:15</, 'time ticks labelled HH:MM');
    assert.match(html, /<caption>Delivered and failed per minute/);
    assert.match(html, /<th scope="row">2026-12-03 10:10<\/th><td class="num">4<\/td><td class="num">4<\/td>/);
  });

  it('says there is nothing to show, without bars or NaN, when every bucket is empty or there are none', () => {
    for (const points of [[], [{ start: FROM, delivered: 0, failed: 0 }]]) {
      const html = counts(points);
      assertCleanAttributes(html);
      assert.equal(rects(html, '#1c7c46').length, 0);
      assert.match(html, /No deliveries in this period/);
      assert.match(html, /aria-label="Delivered and failed per minute\. Nothing was delivered or failed in this period\."/);
      assert.doesNotMatch(html, /<table/);
    }
  });

  it('draws a single point, and survives odd input (an empty range, NaN counts, no bucket size)', () => {
    const single = counts([{ start: FROM, delivered: 1, failed: 0 }], { to: FROM + MINUTE });
    assertCleanAttributes(single);
    assert.equal(rects(single, '#1c7c46').length, 1);
    const odd = counts([{ start: FROM, delivered: Number.NaN, failed: 2 }], { to: FROM, bucketMs: 0 });
    assertCleanAttributes(odd);
    assert.equal(rects(odd, '#b42318').length, 1);
  });
});

describe('the latency chart', () => {
  it('draws p50, p95 and p99 lines at bucket centres, broken where a bucket has no deliveries', () => {
    const points: LatencyPoint[] = [
      { start: FROM, p50: 100, p95: 400, p99: 800 },
      { start: FROM + MINUTE, p50: 120, p95: 450, p99: 1000 },
      { start: FROM + 2 * MINUTE, p50: null, p95: null, p99: null },
      { start: FROM + 3 * MINUTE, p50: 90, p95: 300, p99: 500 },
    ];
    const html = latency(points, { to: FROM + 4 * MINUTE });
    assertCleanAttributes(html);
    const paths = [...html.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1] as string);
    assert.equal(paths.length, 3);
    for (const d of paths) assert.match(d, /^M\S+ \S+ L\S+ \S+ M\S+ \S+$/);
    assert.equal([...html.matchAll(/<circle /g)].length, 3, 'the lone last point of each line is a dot');
    const middle = PLOT.left + (PLOT.right - PLOT.left) / 8; // half a minute of four
    assert.equal(Number(/^M(\S+) /.exec(paths[0] as string)?.[1]), Math.round(middle * 10) / 10, 'the first point sits at the middle of its bucket');
    assert.match(html, /stroke-dasharray="6 3"/);
    assert.match(html, /aria-label="Latency per minute, ingest to delivered \(p50, p95, p99\)\. Latency in 3 minutes with deliveries; the highest p95 was 450 ms and the highest p99 1 s\."/);
    assert.match(html, />1 s</, 'value ticks in ms or s');
    assert.match(html, /<th scope="row">2026-12-03 10:01<\/th><td class="num">120<\/td><td class="num">450<\/td><td class="num">1,000<\/td>/);
  });

  it('has an axis and a note but no line without deliveries, and a dot for a single point', () => {
    const empty = latency([{ start: FROM, p50: null, p95: null, p99: null }]);
    assertCleanAttributes(empty);
    assert.doesNotMatch(empty, /<path /);
    assert.match(empty, /No deliveries in this period/);
    const single = latency([{ start: FROM, p50: 10, p95: 20, p99: Number.NaN }]);
    assertCleanAttributes(single);
    assert.equal([...single.matchAll(/<circle /g)].length, 2, 'p50 and p95 each a dot; the NaN p99 is left out');
  });
});
