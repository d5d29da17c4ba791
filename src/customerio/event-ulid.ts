import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 of the first 80 bits of `bytes`: 16 characters. */
function encode80Bits(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    buffer = (buffer << 8) | (bytes[i] ?? 0);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

export interface EventIdentity {
  projectId: number;
  deviceId: string | null;
  insertId: string;
  /** The event time in milliseconds. */
  time: number;
}

/**
 * The event's Track API `id`: a ULID whose time part is the event time (ms) and whose other 80 bits
 * come from a SHA-256 of (project, device_id, insert_id). Mapping the same event again, on a retry,
 * a replay or a duplicate post, gives the same id, so Customer.io counts it once.
 * Times outside the ULID range (before 1970 or after 10889) are clamped into it.
 */
export function eventUlid(event: EventIdentity): string {
  const digest = createHash('sha256').update(JSON.stringify([event.projectId, event.deviceId, event.insertId])).digest();
  const time = Math.min(Math.max(0, Math.floor(event.time)), 2 ** 48 - 1);
  return encodeTime(time, 10) + encode80Bits(digest);
}
