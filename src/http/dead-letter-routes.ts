import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeadLetters } from '../engine/dead-letters.js';
import { giveAKey, isEmptyLookup, KEY_REPEAT_HINTS, lookupQuery, readTraceLookup, TRACE_PAGE, TRACE_PAGE_MAX } from '../engine/trace-lookup.js';
import { searchTracePage } from '../engine/trace-search.js';
import { dropEmpty } from '../query-params.js';
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
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRACE_PAGE_MAX })),
          },
          { additionalProperties: false },
        ),
      },
      // a look-up key given twice gets a hint (the admin scope refuses any parameter given twice)
      config: { repeatHints: KEY_REPEAT_HINTS },
      // before the schema: an empty project_id, after or limit counts as not given, as an empty key does
      preValidation: async (request) => dropEmpty(request.query as Record<string, unknown>, ['project_id', 'after', 'limit']),
    },
    async (request) => {
      const q = request.query;
      const read = readTraceLookup(q);
      if ('problem' in read) throw new AmpstreamError('invalid_request', read.problem.message, { field: read.problem.field });
      if (isEmptyLookup(read.lookup)) throw new AmpstreamError('invalid_request', giveAKey(), { field: 'insert_id' });
      const page = await searchTracePage(
        store,
        { ...(q.project_id === undefined ? {} : { projectId: q.project_id }), ...lookupQuery(read.lookup) },
        { ...(q.after === undefined ? {} : { after: q.after }), limit: q.limit ?? TRACE_PAGE },
      );
      return { events: page.traces, next_after: page.nextAfter };
    },
  );
}
