import { MAX_IDENTIFIER_BYTES } from './limits.js';
import type { PersonIdentifyItem } from './track-items.js';
import { utf8ByteLength } from './utf8.js';

export type KnownPersonIdentifiers = PersonIdentifyItem['identifiers'];

export type IdentifierResult =
  | { ok: true; identifiers: KnownPersonIdentifiers }
  | { ok: false; reason: string };

/**
 * Email shape, as Customer.io's path rule is described ("contains @ and parses as an address";
 * the exact rule is unconfirmed): one `@`, no white space, a non-empty local part and a domain with
 * at least one dot between non-empty labels.
 */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function isEmailShaped(value: string): boolean {
  return EMAIL_SHAPE.test(value);
}

export const CIO_ID_PREFIX = 'cio_';

/** Which identifier a string names, by its shape (the rule Customer.io applies to v1 paths). */
export type IdentifierKind = 'cio_id' | 'email' | 'id';

export function identifierKindOf(value: string): { kind: IdentifierKind; value: string } {
  if (value.startsWith(CIO_ID_PREFIX)) return { kind: 'cio_id', value: value.slice(CIO_ID_PREFIX.length) };
  if (isEmailShaped(value)) return { kind: 'email', value };
  return { kind: 'id', value };
}

/**
 * The v2 `identifiers` for a person identifier value: `cio_<x>` goes as `{cio_id: x}`, an
 * email-shaped value as `{email}`, anything else as `{id}`. Numbers become their decimal text.
 * Empty values, values over 150 UTF-8 bytes and values that are neither strings nor finite
 * numbers cannot be sent; the reason says why.
 */
export function toIdentifiers(raw: unknown): IdentifierResult {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else if (raw === null || raw === undefined) return { ok: false, reason: 'no identifier' };
  else return { ok: false, reason: `identifier must be a string or a number, not ${Array.isArray(raw) ? 'an array' : typeof raw}` };

  if (text.trim() === '') return { ok: false, reason: 'identifier is empty' };
  const bytes = utf8ByteLength(text);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return { ok: false, reason: `identifier is ${bytes} bytes, over Customer.io's ${MAX_IDENTIFIER_BYTES}-byte limit` };
  }
  const { kind, value } = identifierKindOf(text);
  switch (kind) {
    case 'cio_id':
      return value === '' ? { ok: false, reason: 'identifier "cio_" names no cio_id' } : { ok: true, identifiers: { cio_id: value } };
    case 'email':
      return { ok: true, identifiers: { email: value } };
    case 'id':
      return { ok: true, identifiers: { id: value } };
  }
}
