import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { replies } from '../amplitude/responses.js';
import { AmpstreamError, isAmpstreamError } from '../errors.js';
import type { IngestService } from '../engine/ingest-service.js';
import type { DeadLetters } from '../engine/dead-letters.js';
import type { ServiceMetrics } from '../metrics/prometheus.js';
import type { SyncService } from '../engine/sync-service.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { Store } from '../store/types.js';
import { makeAdminAuth } from './admin-auth.js';
import { adminRoutes } from './admin-routes.js';
import { answerIngestError, ingestRoutes } from './ingest-routes.js';
import { answerInArea, areaOf, BAD_URL_MESSAGE, isBadUrl } from './areas.js';
import { showHidden } from '../visible-text.js';
import { answerClientError } from './client-errors.js';
import { redactUrl } from './log-redaction.js';
import { newRequestId } from './request-ids.js';
import { validationError, validatorCompiler } from './validation.js';
import type { SimulatorView } from '../simulator/server.js';
import { SessionStore } from '../ui/session-store.js';
import { uiErrorHandler, uiRoutes } from '../ui/ui-routes.js';
import type { UiDependencies } from '../ui/ui-context.js';

export interface AppDependencies {
  logger: Logger;
  store: Store;
  projects: ProjectDirectory;
  ingest: IngestService;
  syncs: SyncService;
  deadLetters: DeadLetters;
  metrics: ServiceMetrics;
  adminToken: string;
  /** Whether the service is ready to take traffic (store open, workers running). */
  isReady?: () => boolean;
  /** Trust X-Forwarded-* headers (behind a TLS-terminating proxy): Secure cookies, the public origin. */
  trustProxy?: boolean;
  /** Signed-in web UI sessions (a new, empty store when not given). */
  sessions?: SessionStore;
  /** The Customer.io simulator running in this process (the UI then shows what reached it). */
  simulator?: SimulatorView | undefined;
}

/** How long a client may take to send a whole request (a 20 MB batch on a slow link included). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Maps any error on a non-ingest route to the catalog's reply shape. Never a 500. */
function adminError(error: FastifyError | AmpstreamError): AmpstreamError {
  if (isAmpstreamError(error)) return error;
  const fastifyError = error as FastifyError;
  if (isBadUrl(fastifyError)) return new AmpstreamError('invalid_request', BAD_URL_MESSAGE, { field: 'path' });
  if (fastifyError.validation !== undefined) return validationError(fastifyError.validation as never, fastifyError.validationContext);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AmpstreamError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AmpstreamError('unsupported_media_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AmpstreamError('invalid_request', 'the request body is empty; send a JSON object', { field: 'body' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AmpstreamError('invalid_request', 'the request body is not valid JSON', { field: 'body' });
  }
  if (fastifyError.statusCode === 400 && /JSON|prototype/i.test(fastifyError.message)) {
    return new AmpstreamError('invalid_request', `the request body is not acceptable JSON: ${fastifyError.message}`, {
      field: 'body',
    });
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AmpstreamError('invalid_request', fastifyError.message);
  }
  return new AmpstreamError('internal', undefined, { cause: error });
}

/** The HTTP face of ampstream: Amplitude's ingestion endpoints, the admin API and health checks. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const uiDeps: UiDependencies = {
    adminToken: deps.adminToken,
    projects: deps.projects,
    store: deps.store,
    syncs: deps.syncs,
    deadLetters: deps.deadLetters,
    sessions: deps.sessions ?? new SessionStore(),
    simulator: deps.simulator,
    catalog: (projectId) => deps.store.catalog(projectId),
    clock: Date.now,
  };
  // every error outside a route's own scope, in the shape of the area its path falls in
  const answerError = answerInArea({
    ingest: answerIngestError,
    api: (error, request, reply) => {
      const mapped = adminError(error);
      if (mapped.status >= 500) request.log.error({ err: error, url: redactUrl(request.url) }, 'request failed');
      return reply.code(mapped.status).send(mapped.toBody());
    },
    ui: uiErrorHandler(uiDeps),
  });
  const app = Fastify({
    // a URL fastify cannot decode (`/2/httpapi/%zz`), before any route or hook
    frameworkErrors: answerError,
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: newRequestId,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // a request must arrive whole within this time (a stalled body cannot hold a connection, or shutdown)
    requestTimeout: REQUEST_TIMEOUT_MS,
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
  });
  app.setValidatorCompiler(validatorCompiler);

  // Once shutdown starts, every reply closes its connection, so keep-alive clients (SDKs keep
  // connections open) cannot hold the server open until the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const entry = { method: request.method, url: redactUrl(request.url), status, ms: Math.round(reply.elapsedTime) };
    if (status >= 400) request.log.info(entry, 'request answered with an error');
    else if (deps.logger.isLevelEnabled('debug')) request.log.debug(entry, 'request');
  });

  app.setErrorHandler(answerError);
  const checkAdmin = makeAdminAuth(deps.adminToken);
  app.setNotFoundHandler(async (request, reply) => {
    const area = areaOf(request.url);
    const path = showHidden(redactUrl(request.url).split('?')[0] as string);
    if (area === 'api') {
      await checkAdmin(request); // an unauthenticated caller learns nothing about which routes exist
      throw new AmpstreamError('not_found', `no route ${request.method} ${path}`);
    }
    if (area === 'ui') throw new AmpstreamError('not_found', `There is no page at ${path}.`);
    const result = replies.invalidPath();
    return reply.code(result.status).send(result.body);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Prometheus sends the token with `authorization: { credentials: <token> }` in its scrape config
  app.get('/metrics', { onRequest: checkAdmin }, async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.text()));
  // a person who opens the server's address in a browser lands on the web UI
  app.get('/', async (_request, reply) => reply.code(303).header('location', '/ui/').send());
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.store.ping();
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'the store does not answer' });
    }
    if (deps.isReady !== undefined && !deps.isReady()) {
      return reply.code(503).send({ status: 'unavailable', reason: 'starting or shutting down' });
    }
    return { status: 'ready' };
  });

  await app.register(ingestRoutes, { ingest: deps.ingest });
  await app.register(adminRoutes, {
    adminToken: deps.adminToken,
    projects: deps.projects,
    store: deps.store,
    syncs: deps.syncs,
    deadLetters: deps.deadLetters,
  });
  await app.register(uiRoutes, { prefix: '/ui', ...uiDeps });
  return app;
}
