import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export type Decoded = { ok: true; body: Buffer } | { ok: false; tooLarge: boolean; error: string };

/**
 * The body as sent before `Content-Encoding` (gzip, deflate, br; none or identity as is), never
 * larger than `limit` bytes once decoded.
 */
export function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Decoded {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === '' || name === 'identity') return { ok: true, body };
  const decode = name === 'gzip' || name === 'x-gzip' ? gunzipSync : name === 'deflate' ? inflateSync : name === 'br' ? brotliDecompressSync : undefined;
  if (decode === undefined) return { ok: false, tooLarge: false, error: `Content-Encoding ${name} is not supported (gzip, deflate or br)` };
  try {
    return { ok: true, body: decode(body, { maxOutputLength: limit }) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, tooLarge: true, error: 'Payload too large' };
    return { ok: false, tooLarge: false, error: `the body is not valid ${name}` };
  }
}
