/**
 * A sync's revision on the wire: the admin API's ETag and If-Match, and the editor's hidden
 * `revision` field. A revision is a positive integer (1 when created, one more per saved change).
 */
import { AmpstreamError } from '../errors.js';

/** Up to 15 digits, as ids: always a safe integer. */
const DIGITS = /^[0-9]{1,15}$/;
/** An entity tag of ours: the revision in quotes, `W/` allowed (a proxy that compresses a reply weakens its tag). */
const ENTITY_TAG = /^(?:W\/)?"([0-9]{1,15})"$/;

/** The revision a text names (a form field), or undefined when it is not one. */
export function parseRevision(text: string): number | undefined {
  return DIGITS.test(text) ? Number(text) : undefined;
}

/** The ETag of a sync at a revision: `"3"`. */
export function revisionEtag(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revisions an If-Match header allows: undefined when there is no header or it is `*` (any
 * revision: the sync only has to exist), else the revisions of its entity tags (any of them may
 * match). Anything else is a 400 naming If-Match: a tag that cannot be ours would otherwise read
 * as "the sync changed".
 */
export function parseIfMatch(header: string | string[] | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(', ') : header).trim();
  if (value === '*') return undefined;
  const revisions: number[] = [];
  for (const tag of value.split(',')) {
    const match = ENTITY_TAG.exec(tag.trim());
    if (match === null) {
      throw new AmpstreamError(
        'invalid_request',
        'If-Match: must be * or the ETag a GET of this sync answered, in its quotes, such as "3" (a list such as "3", "4" allows either)',
        { field: 'If-Match' },
      );
    }
    revisions.push(Number(match[1]));
  }
  return revisions;
}
