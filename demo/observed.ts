/**
 * What ampstream itself says about the run: Amplitude's metrics summary, the time series, the
 * Prometheus scrape and one user's trace, so the demo can check that they all tell the same story.
 */
import { adminRequest, type AdminConnection } from '../src/cli/admin-client.js';
import type { EventTrace } from '../src/engine/event-trace.js';
import type { MetricsSummary } from '../src/metrics/metrics-summary.js';

export interface ObservedFigures {
  summary: MetricsSummary;
  /** Everything planned, from the per-minute series. */
  planned: number;
  /** `ampstream_deliveries{status}` of the sync in a /metrics scrape. */
  scraped: Record<'pending' | 'delivered' | 'dead' | 'discarded', number>;
  /** One user's traced events and how many of them ended delivered. */
  trace: { user: string; events: number; delivered: number };
}

function gauge(scrape: string, syncId: number, status: string): number {
  const match = new RegExp(`^ampstream_deliveries\\{sync="${syncId}",status="${status}"\\} (\\S+)$`, 'm').exec(scrape);
  return match === null ? Number.NaN : Number(match[1]);
}

export async function readObserved(connection: AdminConnection, syncId: number, sampleUser: string): Promise<ObservedFigures> {
  const summary = await adminRequest<MetricsSummary>(connection, 'GET', `/api/2/event-streaming/delivery-metrics-summary?sync_id=${syncId}&time_period=FOUR_HOURS`);
  const series = await adminRequest<{ points: { planned: number }[] }>(connection, 'GET', `/api/syncs/${syncId}/metrics?granularity=minute`);
  const scrape = await (await fetch(`${connection.url}/metrics`, { headers: { authorization: `Bearer ${connection.token}` } })).text();
  const { events } = await adminRequest<{ events: EventTrace[] }>(connection, 'GET', `/api/trace?user_id=${encodeURIComponent(sampleUser)}&limit=100`);
  const delivered = events.filter((e) => e.syncs.every((s) => s.steps.at(-1)?.step === 'delivered')).length;
  return {
    summary,
    planned: series.points.reduce((sum, p) => sum + p.planned, 0),
    scraped: {
      pending: gauge(scrape, syncId, 'pending'),
      delivered: gauge(scrape, syncId, 'delivered'),
      dead: gauge(scrape, syncId, 'dead'),
      discarded: gauge(scrape, syncId, 'discarded'),
    },
    trace: { user: sampleUser, events: events.length, delivered },
  };
}

/** The user with the most tracked events: the one whose trace the demo checks. */
export function sampleUser(expected: { eventsByUser: Record<string, number> }): string {
  const [best] = Object.entries(expected.eventsByUser).sort((a, b) => b[1] - a[1]);
  if (best === undefined) throw new Error('the dataset has no user');
  return best[0];
}
