import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';

/**
 * Why a delivery was not delivered (yet), as a delivery row stores it (`last_error`, JSON text) and
 * the admin API shows it (`error`). Always an object with a `message`; the other fields say what
 * Customer.io answered. The row keeps its last error once delivered (the history shows the rest).
 */
export interface DeliveryError {
  /** Customer.io's HTTP status; null when no reply came (a timeout, a reset); absent when never sent. */
  status?: number | null;
  /** Why it will be sent again: a retryable cause (`server_error`, `timeout`…), `rate_limited` or `batch_refused`. */
  cause?: string;
  /** A configuration problem that holds the sync (`credentials_rejected`, `wrong_region`…). */
  problem?: string;
  /** Customer.io's reason and field for an item it refused. */
  reason?: string;
  field?: string;
  message: string;
  retry_after_ms?: number | null;
  /** Why it stopped being retried (out of attempts or of time). */
  expired?: string;
}

/** The text a delivery row stores for an error. */
export function storedDeliveryError(error: DeliveryError): string {
  return JSON.stringify(error);
}

/**
 * A stored error read back, never throwing: the object stored, or `{message}` holding the text
 * when it is not a JSON object (rows written before errors were always JSON kept plain text).
 */
export function readDeliveryError(text: string | null): JsonObject | null {
  if (text === null) return null;
  const parsed = readJson(text);
  return isPlainObject(parsed) ? parsed : { message: text };
}

/** A stored delivery item (Track API JSON) read back, never throwing: the text itself when it is not JSON. */
export function readStoredItem(text: string | null): unknown {
  if (text === null) return null;
  const parsed = readJson(text);
  return parsed === undefined ? text : parsed;
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
