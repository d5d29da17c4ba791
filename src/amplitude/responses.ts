import type { EventProblems } from './event-validation.js';

/**
 * Reply bodies of Amplitude's ingestion APIs. Every JSON body carries `code` equal to the HTTP
 * status, because the official SDKs read the body's `code`, not the status line.
 */
export interface AmplitudeReply {
  status: number;
  /** JSON, except the Identify API's plain-text `success`. */
  body: Record<string, unknown> | string;
}

/** The Identify API answers a successful request with the plain text `success`. */
export const IDENTIFY_SUCCESS: AmplitudeReply = { status: 200, body: 'success' };

export function successReply(eventsIngested: number, payloadSizeBytes: number, serverUploadTime: number): AmplitudeReply {
  return {
    status: 200,
    body: {
      code: 200,
      events_ingested: eventsIngested,
      payload_size_bytes: payloadSizeBytes,
      server_upload_time: serverUploadTime,
    },
  };
}

function badRequest(error: string, extra: Record<string, unknown> = {}): AmplitudeReply {
  return { status: 400, body: { code: 400, error, ...extra } };
}

export const replies = {
  missingBody: () => badRequest('Missing request body'),
  invalidJson: () => badRequest('Invalid JSON request body'),
  /** The body parsed but is not a JSON object. */
  notAnObject: () => badRequest('Invalid JSON request body: expected a JSON object'),
  /** SDKs drop the whole batch when `missing_field` is present. */
  missingField: (field: string) => badRequest('Request missing required field', { missing_field: field }),
  /** `events` (or `identification`) is present but not what it must be. */
  invalidEventJson: (detail: string) => badRequest(`Invalid event JSON: ${detail}`),
  /** SDKs drop the whole batch when `error` starts with "Invalid API key". The key is not echoed. */
  invalidApiKey: () => badRequest('Invalid API key'),
  invalidOptions: (detail: string) => badRequest(`Invalid options: ${detail}`),
  unsupportedContentType: (expected: string) =>
    badRequest(`Invalid request body: Content-Type must be ${expected}`),
  payloadTooLarge: (): AmplitudeReply => ({ status: 413, body: { code: 413, error: 'Payload too large' } }),
  /** Nothing was stored: a retry is safe (Amplitude's 503 has the same meaning). */
  unavailable: (): AmplitudeReply => ({
    status: 503,
    body: { code: 503, error: 'Service temporarily unavailable: nothing was ingested, retry the request' },
  }),
  invalidPath: (): AmplitudeReply => ({ status: 404, body: { code: 404, error: 'Invalid request path' } }),
  /** A URL with malformed percent-encoding (or a path parameter too long): no route can read it. */
  invalidUrl: () => badRequest('Invalid request path: a % must be followed by two hexadecimal digits, and the decoded bytes must be UTF-8'),
};

/**
 * The 400 for per-event problems. Only the maps that have entries are included. When the only
 * problem is id length the error names it, as Amplitude's does.
 */
export function eventProblemsReply(problems: EventProblems): AmplitudeReply {
  const extra: Record<string, unknown> = {};
  const hasInvalid = Object.keys(problems.invalidFields).length > 0;
  const hasMissing = Object.keys(problems.missingFields).length > 0;
  const hasIdLengths = Object.keys(problems.invalidIdLengths).length > 0;
  if (hasInvalid) extra.events_with_invalid_fields = problems.invalidFields;
  if (hasMissing) extra.events_with_missing_fields = problems.missingFields;
  if (hasIdLengths) extra.events_with_invalid_id_lengths = problems.invalidIdLengths;
  const error =
    hasIdLengths && !hasInvalid && !hasMissing
      ? 'Invalid id length for user_id or device_id'
      : 'Invalid field values on some events';
  return badRequest(error, extra);
}
