/**
 * The three areas of ampstream's URL space, each answering errors in its own shape:
 * - `ingest`: Amplitude's endpoints (`/2/httpapi`, `/batch`, `/identify`) and every other path
 *   outside the two below: JSON with a numeric `code` equal to the status, as Amplitude's SDKs read it;
 * - `api`: the admin API under `/api/` (and `/metrics`, behind the same token): the catalog's
 *   `{error, message, field?}` (src/errors.ts);
 * - `ui`: the web UI under `/ui/`: an HTML page (or, for htmx, a fragment).
 * Errors raised before any route runs (a URL with malformed percent-encoding, fastify's
 * `frameworkErrors`), by the root scope (a body on an unknown path) and the root's not-found all go
 * through `answerInArea`, so no framework error escapes in fastify's own JSON.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export type Area = 'ingest' | 'api' | 'ui';

/** The area a request URL (path and query, as sent) falls in. */
export function areaOf(url: string): Area {
  const path = url.split('?')[0] as string;
  if (path === '/api' || path.startsWith('/api/') || path === '/metrics') return 'api';
  if (path === '/ui' || path.startsWith('/ui/')) return 'ui';
  return 'ingest';
}

export type ErrorAnswer = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;

/** One error handler for every area: the area of the request's path picks the shape. */
export function answerInArea(answers: Record<Area, ErrorAnswer>): ErrorAnswer {
  return (error, request, reply) => answers[areaOf(request.url)](error, request, reply);
}

/** fastify's errors about the URL itself (malformed percent-encoding, a parameter too long), before any route. */
export function isBadUrl(error: FastifyError): boolean {
  return error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
}

/** What is wrong with a URL fastify could not read, for every area's message. */
export const BAD_URL_MESSAGE = 'the URL path is not valid: a % must be followed by two hexadecimal digits, and the decoded bytes must be UTF-8';
