
/** One v2 error as sent: Customer.io's reasons are `invalid`, `required` and `parse_error`. */
export interface WireError {
  reason: string;
  field: string;
  message: string;
}

/** A reply as the simulator sends and logs it. */
export interface SimReply {
  status: number;
  headers: Record<string, string>;
  /** Empty for no body. */
  body: string;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-cache, no-store, must-revalidate, max-age=0',
  'access-control-allow-origin': '*',
} as const;

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): SimReply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: `${JSON.stringify(body)}\n` };
}

/** Customer.io's success: 200 with `{}` and a newline (3 bytes). */
export function okReply(): SimReply {
  return jsonReply(200, {});
}

/** A v1 validation failure: `{"meta":{"errors":[...]}}`, pretty-printed with 2 spaces, as observed. */
export function v1ErrorsReply(messages: readonly string[]): SimReply {
  return { status: 400, headers: { ...JSON_HEADERS }, body: `${JSON.stringify({ meta: { errors: messages } }, null, 2)}\n` };
}

/** A `{"meta":{"error":"..."}}` reply (401, 404, 405, 413, 429). */
export function metaErrorReply(status: number, message: string, headers: Record<string, string> = {}): SimReply {
  return jsonReply(status, { meta: { error: message } }, headers);
}

export function unauthorizedReply(): SimReply {
  return metaErrorReply(401, 'Unauthorized request');
}

/** A v2 whole-request failure: 400 `{"errors":[{reason, field, message}]}`. */
export function v2ErrorsReply(violations: readonly WireError[], status = 400): SimReply {
  return jsonReply(status, { errors: violations.map(({ reason, field, message }) => ({ reason, field, message })) });
}

/** A v2 batch with some bad operations: 207 with `batch_index` per error. */
export function partialReply(errors: ReadonlyArray<WireError & { batch_index: number }>): SimReply {
  return jsonReply(207, { errors: errors.map(({ batch_index, reason, field, message }) => ({ batch_index, reason, field, message })) });
}
