import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AmpstreamError } from '../errors.js';
import { HOUR_MS, MINUTE_MS } from '../metrics/delivery-metrics.js';
import { parseIsoInstant, resolvePeriod, summarize, TIME_PERIODS, type TimePeriod } from '../metrics/metrics-summary.js';
import { seriesPoint } from '../metrics/metrics-series.js';
import type { Store } from '../store/types.js';

const SyncId = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

async function requireSync(store: Store, id: number): Promise<void> {
  if ((await store.getSync(id)) === undefined) throw new AmpstreamError('not_found', `sync ${id} does not exist`, { field: 'sync_id' });
}

/**
 * Delivery metrics: Amplitude's Event Streaming Metrics Summary API (same path, parameters and
 * reply), a per-sync time series for charts, and failures grouped by class and reason with samples.
 * Registered inside the admin scope (token checked).
 */
export async function metricsRoutes(scope: FastifyInstance, options: { store: Store; clock?: () => number }): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = options;
  const clock = options.clock ?? Date.now;

  app.get(
    '/api/2/event-streaming/delivery-metrics-summary',
    {
      schema: {
        querystring: Type.Object(
          {
            sync_id: Type.Integer({ minimum: 1 }),
            time_period: Type.Union(TIME_PERIODS.map((p) => Type.Literal(p))),
            start: Type.Optional(Type.String()),
            end: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { sync_id: syncId, time_period: timePeriod, start, end } = request.query;
      await requireSync(store, syncId);
      const range = resolvePeriod(timePeriod as TimePeriod, clock(), start, end);
      const buckets = await store.metricBuckets(syncId, range.granularity, range.start, range.end);
      return summarize(range, buckets.map((b) => b.delta));
    },
  );

  app.get(
    '/api/syncs/:id/metrics',
    {
      schema: {
        params: SyncId,
        querystring: Type.Object(
          {
            granularity: Type.Optional(Type.Union([Type.Literal('minute'), Type.Literal('hour')])),
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      await requireSync(store, id);
      const granularity = request.query.granularity ?? 'minute';
      const now = clock();
      const to = request.query.to === undefined ? now + 1 : parseIsoInstant(request.query.to, 'to');
      const from = request.query.from === undefined ? to - (granularity === 'minute' ? 60 * MINUTE_MS : 48 * HOUR_MS) : parseIsoInstant(request.query.from, 'from');
      if (from >= to) {
        const until = request.query.to === undefined ? 'now (to left out)' : 'to';
        throw new AmpstreamError('invalid_request', `from must be before ${until}: the range is empty`, { field: 'from' });
      }
      const buckets = await store.metricBuckets(id, granularity, from, to);
      return { sync_id: id, granularity, points: buckets.map((b) => seriesPoint(b.start, b.delta)) };
    },
  );

  app.get('/api/syncs/:id/errors', { schema: { params: SyncId } }, async (request) => {
    const id = Number(request.params.id);
    await requireSync(store, id);
    const groups = await store.failureGroups(id);
    return {
      sync_id: id,
      errors: groups.map((g) => ({
        category: g.category,
        reason: g.reason,
        count: g.count,
        first_at: new Date(g.firstAt).toISOString(),
        last_at: new Date(g.lastAt).toISOString(),
        samples: g.samples,
      })),
    };
  });
}
