/**
 * Ids in the UI's URLs and forms (`/ui/syncs/:id`, `?project=`, a dead letter's checkbox): one
 * parser, so every route reads them alike. An id is 1 to 15 digits and nothing else: no sign,
 * space, decimal point or exponent, which `Number()` would accept (`Number(' 1')` is 1).
 */
import { AmpstreamError, isAmpstreamError } from '../errors.js';
import { quoteInput } from '../visible-text.js';
import type { SyncRecord } from '../store/delivery-types.js';
import type { UiDependencies } from './ui-context.js';

/** The id written in `text`, or undefined when `text` is not strictly digits. */
export function parseId(text: unknown): number | undefined {
  return typeof text === 'string' && /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The 404 for an id (as written in the URL) that names no `kind`. */
export function noSuch(kind: 'sync' | 'project', text: unknown): AmpstreamError {
  return new AmpstreamError('not_found', `No ${kind} with id ${quoteInput(text)}.`);
}

/** The sync that the id of a URL names, or a 404 quoting the id as written. */
export async function syncOfUrl(deps: UiDependencies, text: string): Promise<SyncRecord> {
  const id = parseId(text);
  if (id === undefined) throw noSuch('sync', text);
  try {
    return await deps.syncs.get(id);
  } catch (error) {
    if (isAmpstreamError(error) && error.code === 'not_found') throw noSuch('sync', text);
    throw error;
  }
}
