/**
 * A sync's revision on the wire: the admin API's ETag and If-Match, and the editor's hidden
 * `revision` field. A revision is a positive integer (1 when created, one more per saved change).
 *
 * ETags are compared as text, exactly: a revision is always written the one way `String` writes
 * it (no leading zeros, no sign), so only that text names it. `"7"` names revision 7; `"007"`,
 * `"0"` or `"+7"` is no tag this server ever gave, so it is refused as malformed (a 400), never
 * read as a number and never taken for a match.
 */
import { AmpstreamError } from '../errors.js';

/** A revision as written: up to 15 digits (always a safe integer), no leading zero. */
const REVISION = /^[1-9][0-9]{0,14}$/;
/** An entity tag: its text in quotes (ours: a revision), `W/` allowed (a proxy that compresses a reply weakens its tag). */
const ENTITY_TAG = /^(?:W\/)?"([^"]*)"$/;

/** The revision a text names exactly (a form field), or undefined when it names none. */
export function parseRevision(text: string): number | undefined {
  if (!REVISION.test(text)) return undefined;
  const revision = Number(text);
  // the text is the revision's own writing, so comparing revisions is comparing the texts
  return String(revision) === text ? revision : undefined;
}

/** The ETag of a sync at a revision: `"3"`. */
export function revisionEtag(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revisions an If-Match header allows: undefined when there is no header or it is `*` (any
 * revision: the sync only has to exist), else the revisions of its entity tags (any of them may
 * match). Anything else, a tag this server never gives (`"007"`) included, is a 400 naming
 * If-Match: a tag that cannot be ours would otherwise read as "the sync changed".
 */
export function parseIfMatch(header: string | string[] | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(', ') : header).trim();
  if (value === '*') return undefined;
  const revisions: number[] = [];
  for (const tag of value.split(',')) {
    const revision = parseRevision(ENTITY_TAG.exec(tag.trim())?.[1] ?? '');
    if (revision === undefined) {
      throw new AmpstreamError(
        'invalid_request',
        'If-Match: must be * or the ETag a GET of this sync answered, exactly as answered, in its quotes, such as "3" (a list such as "3", "4" allows either)',
        { field: 'If-Match' },
      );
    }
    revisions.push(revision);
  }
  return revisions;
}
