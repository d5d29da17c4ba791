import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { copyObject, getOwn, hasOwn, isPlainObject } from '../amplitude/plain-data.js';
import { AmpstreamError } from '../errors.js';
import type { SyncRecord } from '../store/delivery-types.js';
import { parseIfMatch, revisionEtag } from '../sync/revision.js';
import type { SyncView } from '../sync/sync-schema.js';
import { deliveryView } from './delivery-view.js';
import { syncDetails, type SyncService } from '../engine/sync-service.js';

const SyncId = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

/** The admin API's view of a sync: its config without the key, its status and delivery counts. */
async function syncView(sync: SyncRecord, syncs: SyncService) {
  const details = syncDetails(sync);
  const backlog = await syncs.backlog(sync.id);
  return {
    id: details.id,
    ...details.config,
    status: details.status,
    deliveries: await syncs.counts(sync.id),
    oldest_pending_at: backlog.oldestPendingAt === null ? null : new Date(backlog.oldestPendingAt).toISOString(),
    dead_letters: backlog.deadLetters,
    created_at: new Date(details.createdAt).toISOString(),
    updated_at: new Date(details.updatedAt).toISOString(),
    revision: details.revision,
  };
}

/** One sync's view, with its revision as the ETag that If-Match takes back. */
async function oneSync(sync: SyncRecord, syncs: SyncService, reply: FastifyReply) {
  reply.header('etag', revisionEtag(sync.revision));
  return syncView(sync, syncs);
}

/**
 * What GET shows besides the config. POST, PUT and PATCH take them back and ignore them (a
 * `revision` too: only If-Match makes a change conditional, so clients that send back what they
 * got keep today's last-write-wins), so a client
 * can GET a sync, edit it and send it back, or send it as a new sync (a copy). For PUT and PATCH an
 * `id` other than the URL's is refused (it would say the body is another sync's); POST ignores any
 * `id` (the new sync gets its own). The types below fail to compile when syncView gains a field not listed.
 */
const READ_ONLY_FIELDS = ['id', 'status', 'deliveries', 'oldest_pending_at', 'dead_letters', 'created_at', 'updated_at', 'revision'] as const;
type ReadOnlyField = Exclude<keyof Awaited<ReturnType<typeof syncView>>, keyof SyncView>;
const everyReadOnlyFieldListed: [ReadOnlyField] extends [(typeof READ_ONLY_FIELDS)[number]] ? true : never = true;
void everyReadOnlyFieldListed;

/**
 * The body of a POST, PUT or PATCH without the read-only fields GET added (anything else is
 * validated as sent). `id`: the URL's (PUT, PATCH), which a body's `id` must equal; none for POST.
 */
function withoutReadOnlyFields(body: unknown, id?: number): unknown {
  if (!isPlainObject(body)) return body;
  if (id !== undefined && hasOwn(body, 'id') && getOwn(body, 'id') !== id) {
    throw new AmpstreamError('invalid_request', `id: this is sync ${id} (the URL's id); leave id out or send ${id}`, { field: 'id' });
  }
  const config = copyObject(body);
  for (const field of READ_ONLY_FIELDS) delete config[field];
  return config;
}

/**
 * `/api/syncs`: create, list, read, replace (PUT), patch (PATCH, a JSON merge patch), delete (all
 * three take If-Match with the ETag GET answered, optimistic concurrency), and
 * check the credentials with Customer.io (POST /api/syncs/:id/test). Bodies are validated by
 * validateSyncInput, whose 400s name the bad field. Registered inside the admin scope (token checked).
 */
export async function syncRoutes(scope: FastifyInstance, options: { syncs: SyncService }): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { syncs } = options;

  app.post('/api/syncs', async (request, reply) => {
    const sync = await syncs.create(withoutReadOnlyFields(request.body));
    reply.code(201);
    return oneSync(sync, syncs, reply);
  });

  app.get(
    '/api/syncs',
    { schema: { querystring: Type.Object({ project_id: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }) } },
    async (request) => ({
      syncs: await Promise.all((await syncs.list(request.query.project_id)).map((s) => syncView(s, syncs))),
    }),
  );

  app.get('/api/syncs/:id', { schema: { params: SyncId } }, async (request, reply) => oneSync(await syncs.get(Number(request.params.id)), syncs, reply));

  for (const [method, mode] of [['PUT', 'replace'], ['PATCH', 'patch']] as const) {
    app.route({
      method,
      url: '/api/syncs/:id',
      schema: { params: SyncId },
      // If-Match: saved only when the sync is still at a revision it names, else 412; without it the last write wins
      handler: async (request, reply) => {
        const id = Number(request.params.id);
        const basedOn = parseIfMatch(request.headers['if-match']);
        return oneSync(await syncs.update(id, withoutReadOnlyFields(request.body, id), mode, basedOn), syncs, reply);
      },
    });
  }

  // If-Match as for PUT and PATCH: deleted only when the sync is still at a revision it names, else 412
  app.delete('/api/syncs/:id', { schema: { params: SyncId } }, async (request, reply) => {
    await syncs.remove(Number(request.params.id), parseIfMatch(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.post('/api/syncs/:id/test', { schema: { params: SyncId } }, async (request) => syncs.test(Number(request.params.id)));

  app.get(
    '/api/syncs/:id/deliveries',
    {
      schema: {
        params: SyncId,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead'), Type.Literal('discarded')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      await syncs.get(id);
      const rows = await syncs.deliveries(id, request.query.status, request.query.limit ?? 100);
      return { deliveries: rows.map(deliveryView) };
    },
  );
}
