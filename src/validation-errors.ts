import type { ErrorObject } from 'ajv';
import { AmpstreamError } from './errors.js';

/**
 * Turns ajv's errors into the catalog's `invalid_request`, naming the field as a dotted path.
 * Shared by the admin API's body validation and by validators outside HTTP (sync configs), so
 * every caller words errors the same way. Messages never contain the rejected value.
 */

/** The field an ajv error is about, as a dotted path (`customerio.site_id`). */
export function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const params = error.params as Record<string, unknown>;
  const child =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : undefined;
  if (child === undefined) return base;
  return base === '' ? child : `${base}.${child}`;
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Errors that only say a value is not of one alternative's shape ("must be string"). */
const SHAPE_KEYWORDS: ReadonlySet<string> = new Set(['type', 'const', 'enum']);

/**
 * The error to report. ajv reports a failed `anyOf` after the errors of every alternative, and the
 * first of those is usually "wrong alternative" noise (`"*"` given a list: "must be equal to
 * constant"). Within an `anyOf`, the first error below the value itself wins (the alternative that
 * fits the shape and fails deeper); when every alternative fails on the shape, the `anyOf` itself
 * is reported, worded by its schema's `description` when ajv kept it (`verbose`).
 */
function relevantError(errors: ErrorObject[]): { error: ErrorObject; message: string | undefined } {
  const first = errors[0] as ErrorObject;
  const union = errors.find((e) => e.keyword === 'anyOf' && isWithin(first.instancePath, e.instancePath));
  if (union === undefined) return { error: first, message: first.message };
  const specific = errors.find(
    (e) =>
      e !== union &&
      e.keyword !== 'anyOf' &&
      isWithin(e.instancePath, union.instancePath) &&
      !(e.instancePath === union.instancePath && SHAPE_KEYWORDS.has(e.keyword)),
  );
  if (specific !== undefined) return { error: specific, message: specific.message };
  const description = (union.parentSchema as { description?: unknown } | undefined)?.description;
  return { error: union, message: typeof description === 'string' ? description : union.message };
}

/** The catalog's `invalid_request` for ajv's errors; `part` names what was checked (`body`, `querystring`). */
export function validationError(errors: ErrorObject[], part?: string): AmpstreamError {
  if (errors.length === 0) return new AmpstreamError('invalid_request');
  const { error, message: detail } = relevantError(errors);
  const field = fieldOf(error);
  const params = error.params as Record<string, unknown>;
  let message: string;
  if (error.keyword === 'additionalProperties') message = `${field}: unknown field`;
  else if (error.keyword === 'required') message = `${field}: required`;
  else message = `${field || part || 'request'}: ${detail ?? 'invalid'}`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message += ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return new AmpstreamError('invalid_request', part === 'body' || part === undefined ? message : `${part} ${message}`, {
    field: field || (part ?? 'request'),
  });
}
