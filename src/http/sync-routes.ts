import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { DeliveryRecord, SyncRecord } from '../store/delivery-types.js';
import { syncDetails, type SyncService } from '../engine/sync-service.js';

const SyncId = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

/** A delivery as the admin API shows it: the item sent (or meant to be), its fate and why. */
function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    event_seq: d.eventSeq,
    person: d.person,
    action: d.action,
    status: d.status,
    reason: d.reason,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? new Date(d.nextAttemptAt).toISOString() : null,
    created_at: new Date(d.createdAt).toISOString(),
    delivered_at: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
    error: d.lastError === null ? null : (JSON.parse(d.lastError) as unknown),
    item: d.itemJson === null ? null : (JSON.parse(d.itemJson) as unknown),
  };
}

/** The admin API's view of a sync: its config without the key, its status and delivery counts. */
async function syncView(sync: SyncRecord, syncs: SyncService) {
  const details = syncDetails(sync);
  return {
    id: details.id,
    ...details.config,
    status: details.status,
    deliveries: await syncs.counts(sync.id),
    created_at: new Date(details.createdAt).toISOString(),
    updated_at: new Date(details.updatedAt).toISOString(),
  };
}

/**
 * `/api/syncs`: create, list, read, replace (PUT), patch (PATCH, a JSON merge patch), delete, and
 * check the credentials with Customer.io (POST /api/syncs/:id/test). Bodies are validated by
 * validateSyncInput, whose 400s name the bad field. Registered inside the admin scope (token checked).
 */
export async function syncRoutes(scope: FastifyInstance, options: { syncs: SyncService }): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { syncs } = options;
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.post('/api/syncs', async (request, reply) => {
    const sync = await syncs.create(request.body);
    reply.code(201);
    return syncView(sync, syncs);
  });

  app.get(
    '/api/syncs',
    { schema: { querystring: Type.Object({ project_id: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }) } },
    async (request) => ({
      syncs: await Promise.all((await syncs.list(request.query.project_id)).map((s) => syncView(s, syncs))),
    }),
  );

  app.get('/api/syncs/:id', { schema: { params: SyncId } }, async (request) => syncView(await syncs.get(Number(request.params.id)), syncs));

  app.put('/api/syncs/:id', { schema: { params: SyncId } }, async (request) =>
    syncView(await syncs.update(Number(request.params.id), request.body, 'replace'), syncs),
  );

  app.patch('/api/syncs/:id', { schema: { params: SyncId } }, async (request) =>
    syncView(await syncs.update(Number(request.params.id), request.body, 'patch'), syncs),
  );

  app.delete('/api/syncs/:id', { schema: { params: SyncId } }, async (request, reply) => {
    await syncs.remove(Number(request.params.id));
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
