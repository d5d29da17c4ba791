import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { quoteInput } from '../visible-text.js';
import { refuseRepeatedQuery } from '../query-params.js';
import type { FastifyInstance } from 'fastify';
import { AmpstreamError } from '../errors.js';
import { parseJsonText } from '../json-text.js';
import { devicePerson, userPerson } from '../store/state-keys.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { Project, ProjectCatalog, Store, StoredEvent } from '../store/types.js';
import { makeAdminAuth } from './admin-auth.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import type { DeadLetters } from '../engine/dead-letters.js';
import { metricsRoutes } from './metrics-routes.js';
import { syncRoutes } from './sync-routes.js';
import type { SyncService } from '../engine/sync-service.js';

export interface AdminRoutesOptions {
  adminToken: string;
  projects: ProjectDirectory;
  store: Store;
  syncs: SyncService;
  deadLetters: DeadLetters;
}

function projectView(project: Project) {
  return {
    id: project.id,
    name: project.name,
    api_key_hint: project.apiKeyHint,
    created_at: new Date(project.createdAt).toISOString(),
  };
}

function eventView(event: StoredEvent) {
  return {
    seq: event.seq,
    project_id: event.projectId,
    received_at: new Date(event.receivedAt).toISOString(),
    request_id: event.requestId,
    source: event.source,
    insert_id: event.insertId,
    insert_id_generated: event.insertIdGenerated,
    event_type: event.eventType,
    time: event.time,
    user_id: event.userId,
    device_id: event.deviceId,
    person: event.personKey,
    first_seen: event.firstSeen,
    user_properties: event.userProperties,
    changes: event.changes,
    payload: event.payload,
  };
}

const ProjectId = Type.String({ pattern: '^[0-9]{1,15}$' });

/** The id of an existing project, or a 404 naming `project_id`. */
async function existingProject(store: Store, param: string): Promise<number> {
  const projectId = Number(param);
  if ((await store.getProject(projectId)) === undefined) {
    throw new AmpstreamError('not_found', `project ${projectId} does not exist`, { field: 'project_id' });
  }
  return projectId;
}

function catalogView(catalog: ProjectCatalog) {
  return { event_types: catalog.eventTypes, event_properties: catalog.eventProperties, user_properties: catalog.userProperties };
}

/**
 * JSON bodies of the admin API (`application/json`, and `application/merge-patch+json` for PATCH).
 * An empty body is no body: clients send `Content-Type: application/json` on a DELETE or a POST
 * that carries nothing, and fastify's own parser answers those with "the request body is empty".
 * Anything else is parsed as fastify does, `__proto__` keys (and `constructor.prototype`) still
 * refused, but each refusal says what is wrong and where (never quoting the body, which may hold a key).
 */
export function parseAdminJson(_request: unknown, body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.length === 0) return done(null, undefined);
  const json = parseJsonText(body);
  if (json.ok) return done(null, json.value);
  const field = json.field ?? 'body';
  done(new AmpstreamError('invalid_request', json.field === undefined ? `the request body is ${json.problem}` : json.problem, { field }));
}

/** The admin API under `/api/`: every route needs the admin token. */
export async function adminRoutes(scope: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', makeAdminAuth(options.adminToken));
  // a query parameter given twice is refused naming it, on every route (not "must be integer")
  app.addHook('preValidation', refuseRepeatedQuery);
  // JSON only: a text/plain body (what fetch sends for a string) is a 415 that names application/json
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, parseAdminJson);
  await app.register(syncRoutes, { syncs: options.syncs });
  await app.register(metricsRoutes, { store: options.store });
  await app.register(deadLetterRoutes, { deadLetters: options.deadLetters, store: options.store });

  app.get('/api/projects', async () => ({ projects: (await options.projects.list()).map(projectView) }));

  app.post(
    '/api/projects',
    {
      schema: {
        body: Type.Object(
          {
            // length and characters: the rules for names (src/display-names.ts), after trimming
            name: Type.String(),
            api_key: Type.Optional(Type.String({ minLength: 8, maxLength: 200, pattern: '^\\S+$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const created = await options.projects.create({ name: request.body.name, apiKey: request.body.api_key });
      reply.code(201);
      return { ...projectView(created), api_key: created.apiKey };
    },
  );

  app.get(
    '/api/events',
    {
      schema: {
        querystring: Type.Object(
          {
            project_id: Type.Optional(ProjectId),
            user_id: Type.Optional(Type.String({ minLength: 1 })),
            device_id: Type.Optional(Type.String({ minLength: 1 })),
            insert_id: Type.Optional(Type.String({ minLength: 1 })),
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      const events = await options.store.findEvents({
        ...(q.project_id !== undefined ? { projectId: Number(q.project_id) } : {}),
        ...(q.user_id !== undefined ? { userId: q.user_id } : {}),
        ...(q.device_id !== undefined ? { deviceId: q.device_id } : {}),
        ...(q.insert_id !== undefined ? { insertId: q.insert_id } : {}),
        ...(q.after !== undefined ? { afterSeq: q.after } : {}),
        limit: q.limit ?? 100,
      });
      return { events: events.map(eventView) };
    },
  );

  app.get(
    '/api/projects/:project_id/profiles',
    {
      schema: {
        params: Type.Object({ project_id: ProjectId }),
        querystring: Type.Object(
          {
            user_id: Type.Optional(Type.String({ minLength: 1 })),
            device_id: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const projectId = await existingProject(options.store, request.params.project_id);
      const { user_id: userId, device_id: deviceId } = request.query;
      if ((userId === undefined) === (deviceId === undefined)) {
        throw new AmpstreamError('invalid_request', 'give exactly one of user_id and device_id', { field: 'user_id' });
      }
      let person: string;
      if (userId !== undefined) person = userPerson(userId);
      else {
        const linked = await options.store.getDeviceLink(projectId, deviceId as string);
        person = linked !== undefined ? userPerson(linked) : devicePerson(deviceId as string);
      }
      const profile = await options.store.getProfile(projectId, person);
      if (profile === undefined) throw new AmpstreamError('not_found', `no profile for ${quoteInput(person, 1100)}`);
      return {
        project_id: projectId,
        person: profile.personKey,
        properties: profile.properties,
        created_at: new Date(profile.createdAt).toISOString(),
        updated_at: new Date(profile.updatedAt).toISOString(),
      };
    },
  );

  // what the project's ingest has seen, for pickers (docs/ingest.md, "The catalog")
  app.get('/api/projects/:project_id/catalog', { schema: { params: Type.Object({ project_id: ProjectId }) } }, async (request) =>
    catalogView(await options.store.catalog(await existingProject(options.store, request.params.project_id))),
  );
}
