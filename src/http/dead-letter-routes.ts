import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeadLetters } from '../engine/dead-letters.js';
import { giveAKey, givenMoreThanOnce, isEmptyLookup, lookupQuery, readTraceLookup, repeatedParameter, TRACE_KEYS } from '../engine/trace-lookup.js';
import { searchTraces } from '../engine/trace-search.js';
import { AmpstreamError } from '../errors.js';
import { parseIsoInstant } from '../metrics/metrics-summary.js';
import type { DeadLetterSelection } from '../store/delivery-types.js';
import { deliveryView } from './delivery-view.js';
import type { Store } from '../store/types.js';

const SyncId = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });
const Cause = Type.Union([Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('too_large')]);
/** Selects dead letters: ids, or cause and a time range of death (ISO-8601, `to` exclusive). */
const Selection = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10_000 })),
    reason: Type.Optional(Cause),
    from: Type.Optional(Type.String()),
    to: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

function selection(input: { ids?: number[]; reason?: DeadLetterSelection['cause']; from?: string; to?: string }): DeadLetterSelection {
  const from = input.from === undefined ? undefined : parseIsoInstant(input.from, 'from');
  const to = input.to === undefined ? undefined : parseIsoInstant(input.to, 'to');
  return {
    ...(input.ids === undefined ? {} : { ids: input.ids }),
    ...(input.reason === undefined ? {} : { cause: input.reason }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** Replay and drop without a body (or with an empty one) mean `{}`: every dead letter of the sync. */
async function noBodyIsEmptySelection(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

/** The dead-letter store per sync (list, inspect, replay, drop) and the event trace. In the admin scope. */
export async function deadLetterRoutes(scope: FastifyInstance, options: { deadLetters: DeadLetters; store: Store }): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { deadLetters, store } = options;

  app.get(
    '/api/syncs/:id/dead-letters',
    {
      schema: {
        params: SyncId,
        querystring: Type.Object(
          {
            reason: Type.Optional(Cause),
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { after, limit, ...rest } = request.query;
      const rows = await deadLetters.list(Number(request.params.id), selection(rest), after ?? 0, limit ?? 100);
      return { dead_letters: rows.map(deliveryView) };
    },
  );

  app.get(
    '/api/syncs/:id/dead-letters/:delivery',
    { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }), delivery: Type.String({ pattern: '^[0-9]{1,15}$' }) }) } },
    async (request) => deliveryView(await deadLetters.get(Number(request.params.id), Number(request.params.delivery))),
  );

  app.post('/api/syncs/:id/dead-letters/replay', { schema: { params: SyncId, body: Selection }, preValidation: noBodyIsEmptySelection }, async (request) => {
    const result = await deadLetters.replay(Number(request.params.id), selection(request.body));
    return { replayed: result.replayed.map((r) => r.id), skipped: result.skipped };
  });

  app.post('/api/syncs/:id/dead-letters/drop', { schema: { params: SyncId, body: Selection }, preValidation: noBodyIsEmptySelection }, async (request) => ({
    dropped: await deadLetters.drop(Number(request.params.id), selection(request.body)),
  }));

  app.get(
    '/api/trace',
    {
      schema: {
        querystring: Type.Object(
          {
            // the look-up keys are checked by readTraceLookup, as the UI's are (an empty one is not given)
            insert_id: Type.Optional(Type.String()),
            user_id: Type.Optional(Type.String()),
            device_id: Type.Optional(Type.String()),
            project_id: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
      },
      // before the schema, which would say "must be string" of a parameter given twice
      preValidation: async (request) => {
        const repeated = repeatedParameter(request.query as Record<string, unknown>, [...TRACE_KEYS, 'project_id', 'limit']);
        if (repeated !== undefined) throw new AmpstreamError('invalid_request', givenMoreThanOnce(repeated), { field: repeated });
      },
    },
    async (request) => {
      const q = request.query;
      const read = readTraceLookup(q);
      if ('problem' in read) throw new AmpstreamError('invalid_request', read.problem.message, { field: read.problem.field });
      if (isEmptyLookup(read.lookup)) throw new AmpstreamError('invalid_request', giveAKey(), { field: 'insert_id' });
      const traces = await searchTraces(store, {
        ...(q.project_id === undefined ? {} : { projectId: q.project_id }),
        ...lookupQuery(read.lookup),
        limit: q.limit ?? 20,
      });
      return { events: traces };
    },
  );
}
