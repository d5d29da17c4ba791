/** Text for times and numbers on the pages. Pure. */

/** What a figure without data reads (a rate of nothing, the latency of no delivery). */
export const NO_DATA = '—';

/** `2026-12-03 19:40:12 UTC`: one unambiguous form on every page. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NO_DATA;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `3 s`, `4 min`, `2 h`, `5 d`: how long ago (or for how long) in the largest whole unit. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

const COUNT = new Intl.NumberFormat('en-US');

/** `12,345` */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/**
 * `28.6%`: a rate between 0 and 1, rounded to one decimal. Rounding never claims a perfect or a
 * null figure that is not one: a rate above 99.95% but short of 1 reads `>99.9%`, one above 0 but
 * under 0.05% reads `<0.1%`; only exactly 1 and 0 read `100.0%` and `0.0%`. `—` when there is no
 * rate (nothing counted).
 */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return NO_DATA;
  const clamped = Math.min(1, Math.max(0, rate));
  const tenths = Math.round(clamped * 1000);
  if (tenths === 1000 && clamped < 1) return '>99.9%';
  if (tenths === 0 && clamped > 0) return '<0.1%';
  return `${(tenths / 10).toFixed(1)}%`;
}

/** `0.045 s`: seconds rounded to the millisecond; `—` when there is no figure (nothing delivered), never `0 s`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NO_DATA;
  return `${Number(seconds.toFixed(3))} s`;
}
