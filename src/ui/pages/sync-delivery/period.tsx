/** The periods the delivery page summarizes: which ones it offers, their labels, the page's URL for one, and the form that picks one. */
import type { TimePeriod } from '../../../metrics/metrics-summary.js';
import { quoteInput } from '../../../visible-text.js';
import { SelectWithShowButton } from '../../components.js';

/** The periods the page offers (the summary API's, but CUSTOM). */
export const PERIODS = ['TEN_MINUTES', 'ONE_HOUR', 'FOUR_HOURS', 'ONE_DAY', 'ONE_WEEK', 'TWO_WEEKS'] as const satisfies readonly TimePeriod[];
export type Period = (typeof PERIODS)[number];
export const PERIOD_LABELS: Record<Period, string> = {
  TEN_MINUTES: 'Last 10 minutes',
  ONE_HOUR: 'Last hour',
  FOUR_HOURS: 'Last 4 hours',
  ONE_DAY: 'Last 24 hours',
  ONE_WEEK: 'Last 7 days',
  TWO_WEEKS: 'Last 14 days',
};
const DEFAULT_PERIOD: Period = 'ONE_HOUR';

/** The period a request names, or the default one. */
export function periodOf(value: unknown): Period {
  return PERIODS.find((p) => p === value) ?? DEFAULT_PERIOD;
}

/** What the page says of a period it does not know (`?period=abc`): it shows the default one instead. */
export function unknownPeriodNotice(value: unknown): string | undefined {
  if (value === undefined || value === '' || PERIODS.some((p) => p === value)) return undefined;
  return `Unknown period ${quoteInput(value)}; showing the ${PERIOD_LABELS[DEFAULT_PERIOD].toLowerCase()}.`;
}

/** The delivery page of a sync, showing a period (the default one needs no query). */
export function deliveryPageUrl(syncId: number, period: Period): string {
  return period === DEFAULT_PERIOD ? `/ui/syncs/${syncId}` : `/ui/syncs/${syncId}?period=${period}`;
}

/** The form that picks the period: htmx swaps in the metrics of the one picked (and puts it in the URL). */
export function PeriodForm({ syncId, period }: { syncId: number; period: Period }) {
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
      <SelectWithShowButton name="period" label="Period" options={PERIODS.map((p) => ({ value: p, label: PERIOD_LABELS[p] }))} selected={period} />
    </form>
  );
}
