import { MAX_BATCH_BODY_BYTES } from './limits.js';
import type { TrackItem } from './track-items.js';
import { jsonByteLength } from './utf8.js';

export interface BatchLimits {
  /** Largest request body, `{"batch":[...]}` included (default 500,000 bytes). */
  maxBodyBytes: number;
  /** Most items in one request (default: no cap besides the body size). */
  maxItems: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBodyBytes: MAX_BATCH_BODY_BYTES, maxItems: Number.POSITIVE_INFINITY };

/** The bytes of `{"batch":[` and `]}` around the items. */
const ENVELOPE_BYTES = jsonByteLength({ batch: [] });

export interface PackedBatch<E> {
  entries: E[];
  /** The size of the request body these entries make. */
  bodyBytes: number;
}

export interface PackResult<E> {
  batches: PackedBatch<E>[];
  /** Entries too large to fit in any request on their own (never sent). */
  tooLarge: E[];
}

/** The v2 batch request body for some items. */
export function batchBody(items: readonly TrackItem[]): string {
  return JSON.stringify({ batch: items });
}

/**
 * Packs entries, in their order, into batch requests within the limits. Each batch is a run of
 * consecutive entries, so every person's items keep their order when the batches are sent in order.
 */
export function packBatches<E extends { item: TrackItem }>(entries: readonly E[], limits: Partial<BatchLimits> = {}): PackResult<E> {
  const { maxBodyBytes, maxItems } = { ...DEFAULT_BATCH_LIMITS, ...limits };
  const batches: PackedBatch<E>[] = [];
  const tooLarge: E[] = [];
  let current: PackedBatch<E> | undefined;
  for (const entry of entries) {
    const itemBytes = jsonByteLength(entry.item);
    if (ENVELOPE_BYTES + itemBytes > maxBodyBytes) {
      tooLarge.push(entry);
      continue;
    }
    const separator = current === undefined || current.entries.length === 0 ? 0 : 1;
    if (current === undefined || current.entries.length >= maxItems || current.bodyBytes + separator + itemBytes > maxBodyBytes) {
      current = { entries: [entry], bodyBytes: ENVELOPE_BYTES + itemBytes };
      batches.push(current);
      continue;
    }
    current.entries.push(entry);
    current.bodyBytes += separator + itemBytes;
  }
  return { batches, tooLarge };
}
