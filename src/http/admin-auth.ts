import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AmpstreamError } from '../errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Checks `Authorization: Bearer <token>` in constant time; throws `unauthorized` otherwise. */
export function makeAdminAuth(adminToken: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(adminToken);
  return async (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match === null || !timingSafeEqual(digest(match[1] as string), expected)) {
      throw new AmpstreamError('unauthorized');
    }
  };
}
