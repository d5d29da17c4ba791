import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BATCH_BODY_LIMIT, HTTP_V2_BODY_LIMIT, IDENTIFY_BODY_LIMIT } from '../amplitude/limits.js';
import { replies, type AmplitudeReply } from '../amplitude/responses.js';
import { setOwn } from '../amplitude/plain-data.js';
import type { IngestService } from '../engine/ingest-service.js';
import { areaOf, isBadUrl } from './areas.js';
import { decodeBody } from './content-encoding.js';

/** Marks a body that arrived with a content type the route does not read. */
const UNREAD_BODY = Symbol('unread body');

interface UnreadBody {
  [UNREAD_BODY]: true;
  contentType: string;
}

function isUnread(body: unknown): body is UnreadBody {
  return typeof body === 'object' && body !== null && UNREAD_BODY in body;
}

function send(reply: FastifyReply, result: AmplitudeReply): FastifyReply {
  if (typeof result.body === 'string') reply.type('text/plain; charset=utf-8');
  return reply.code(result.status).send(result.body);
}

/** Content types read as JSON by the upload endpoints; anything else is refused with a clear 400. */
function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'text/plain' || type?.endsWith('+json') === true;
}

/**
 * Maps whatever fastify or its plugins throw while reading an ingest request to Amplitude's reply
 * shapes. Never a 500: an unexpected error is a 503, after which a retry is safe because nothing
 * was committed.
 */
function ingestErrorReply(error: FastifyError): AmplitudeReply {
  const code = error.code ?? '';
  if (isBadUrl(error)) return replies.invalidUrl();
  if (error.statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code.startsWith('FST_REQ_FILE_TOO_LARGE')) {
    return replies.payloadTooLarge();
  }
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return replies.payloadTooLarge();
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return replies.unsupportedContentType('application/json');
  // busboy's own errors (no code, no status): a malformed multipart body is the client's doing
  if (/multipart|boundary|part terminated|malformed/i.test(error.message) && (error.statusCode === undefined || error.statusCode < 500)) {
    return { status: 400, body: { code: 400, error: `Invalid request body: ${error.message}` } };
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return replies.missingBody();
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, body: { code: 400, error: `Invalid request body: ${error.message}` } };
  }
  return replies.unavailable();
}

function context(request: FastifyRequest, payloadSize: number) {
  return { requestId: request.id, receivedAt: Date.now(), payloadSize };
}

/** `POST /2/httpapi`, `POST /batch`. Bodies are read raw and parsed here so every error is Amplitude's. */
async function uploadRoutes(app: FastifyInstance, ingest: IngestService): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isJsonContentType(request.headers['content-type'])) {
      done(null, { [UNREAD_BODY]: true, contentType: String(request.headers['content-type']) } satisfies UnreadBody);
      return;
    }
    done(null, body);
  });

  const upload = (source: 'httpapi' | 'batch', limit: number) => async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body;
    if (isUnread(body)) return send(reply, replies.unsupportedContentType('application/json'));
    let raw = Buffer.isBuffer(body) ? body : undefined;
    if (raw !== undefined && raw.length > 0) {
      const decoded = decodeBody(raw, request.headers['content-encoding'], limit);
      if (!decoded.ok) {
        return send(reply, decoded.tooLarge ? replies.payloadTooLarge() : { status: 400, body: { code: 400, error: `Invalid request body: ${decoded.error}` } });
      }
      raw = decoded.body;
    }
    return send(reply, await ingest.upload(source, raw, context(request, raw?.length ?? 0)));
  };
  app.post('/2/httpapi', { bodyLimit: HTTP_V2_BODY_LIMIT }, upload('httpapi', HTTP_V2_BODY_LIMIT));
  app.post('/batch', { bodyLimit: BATCH_BODY_LIMIT }, upload('batch', BATCH_BODY_LIMIT));
}

/** `POST /identify` (urlencoded or multipart) and `GET /identify?api_key=…&identification=…`. */
async function identifyRoutes(app: FastifyInstance, ingest: IngestService): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: IDENTIFY_BODY_LIMIT });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fieldSize: IDENTIFY_BODY_LIMIT, fileSize: IDENTIFY_BODY_LIMIT, files: 2, fields: 20, parts: 22 },
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: IDENTIFY_BODY_LIMIT }, (request, _body, done) => {
    done(null, { [UNREAD_BODY]: true, contentType: String(request.headers['content-type']) } satisfies UnreadBody);
  });

  const expected = 'application/x-www-form-urlencoded or multipart/form-data';
  app.post('/identify', { bodyLimit: IDENTIFY_BODY_LIMIT }, async (request, reply) => {
    const body = request.body;
    if (body === undefined || body === null) return send(reply, replies.missingBody());
    if (isUnread(body) || typeof body !== 'object') return send(reply, replies.unsupportedContentType(expected));
    const size = Number(request.headers['content-length'] ?? 0) || 0;
    return send(reply, await ingest.identify(formFields(body as Record<string, unknown>), context(request, size)));
  });
  app.get('/identify', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    return send(reply, await ingest.identify(formFields(query), context(request, 0)));
  });
}

/** Form values as strings: a multipart file part counts as its text; a repeated field stays a list. */
function formFields(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    setOwn(result, name, Buffer.isBuffer(value) ? value.toString('utf8') : value);
  }
  return result;
}

/** Any error of a request in the ingest area, in Amplitude's shape (logged; never a 500). */
export function answerIngestError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const result = ingestErrorReply(error);
  if (result.status >= 500) request.log.error({ err: error }, 'ingest request failed');
  else request.log.info({ code: error.code, status: result.status }, 'ingest request refused');
  return send(reply, result);
}

/**
 * CORS of the ingest area. Browsers post from any origin (the browser SDKs, as to Amplitude's
 * endpoints). The plugin's preflight route is `OPTIONS *`, so the admin API and the UI are excluded
 * by path: their OPTIONS requests get their area's 404. A preflight without `Origin` or
 * `Access-Control-Request-Method` (no browser sends one) is answered like one with them, a 204:
 * browsers always send both, and a plain-text 400 would be the one reply here without `code`.
 */
const ingestCors = {
  delegator: (request: FastifyRequest, callback: (error: Error | null, options: object) => void) =>
    callback(null, areaOf(request.url) === 'ingest' ? { origin: '*', methods: ['POST', 'GET', 'OPTIONS'], maxAge: 86_400, strictPreflight: false } : { origin: false }),
};

/** Registers the Amplitude-compatible endpoints with Amplitude's error shapes. */
export async function ingestRoutes(app: FastifyInstance, options: { ingest: IngestService }): Promise<void> {
  await app.register(cors, ingestCors);
  app.setErrorHandler(answerIngestError);
  await app.register(async (scope) => uploadRoutes(scope, options.ingest));
  await app.register(async (scope) => identifyRoutes(scope, options.ingest));
}
