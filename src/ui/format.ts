/** Text for times and numbers on the pages. Pure. */

/** `2026-12-03 19:40:12 UTC`: one unambiguous form on every page. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
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

/** `99.5%` (a rate between 0 and 1). */
export function formatRate(rate: number): string {
  return `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
}
