/**
 * The closed catalog of ampstream's own errors (admin API, CLI, startup). Each has a stable code,
 * an HTTP status and a message template. Replies of the Amplitude-compatible ingestion endpoints
 * follow Amplitude's wire format instead (src/amplitude/responses.ts).
 */
export const ERROR_CATALOG = {
  unauthorized: { status: 401, message: 'Missing or wrong admin token: send Authorization: Bearer <token>' },
  forbidden: { status: 403, message: 'Forbidden' },
  not_found: { status: 404, message: 'Not found' },
  invalid_request: { status: 400, message: 'Invalid request' },
  conflict: { status: 409, message: 'Conflict' },
  precondition_failed: { status: 412, message: 'The resource changed since the version the request was made from (If-Match); nothing was changed' },
  payload_too_large: { status: 413, message: 'Request body too large' },
  unsupported_media_type: { status: 415, message: 'Unsupported Content-Type' },
  shutting_down: { status: 503, message: 'ampstream is shutting down; retry on another instance or later' },
  store_unavailable: { status: 503, message: 'The store did not answer; nothing was changed' },
  internal: { status: 503, message: 'Unexpected error; nothing was changed, retry the request' },
  config_invalid: { status: 400, message: 'Invalid configuration' },
  server_unreachable: { status: 503, message: 'Could not reach the ampstream server' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AmpstreamError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The request field the error is about, when there is one (`name`, `customerio.site_id`). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message?: string, options: { field?: string; cause?: unknown } = {}) {
    super(message ?? ERROR_CATALOG[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AmpstreamError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.field = options.field;
  }

  /** The JSON body the admin API answers with. */
  toBody(): { error: ErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, field: this.field };
  }
}

export function isAmpstreamError(error: unknown): error is AmpstreamError {
  return error instanceof AmpstreamError;
}
