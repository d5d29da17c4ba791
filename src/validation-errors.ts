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

/** The `description` of the schema an error is about, when ajv kept it (`verbose`). */
function descriptionOf(error: ErrorObject): string | undefined {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? description : undefined;
}

/**
 * An `anyOf` of constants (`"rejected" | "expired" | "too_large"`) in words: `must be one of
 * "rejected", "expired", "too_large"` instead of ajv's "must match a schema in anyOf".
 */
function allowedConstants(errors: ErrorObject[], union: ErrorObject): string | undefined {
  let allowed: unknown[];
  const schemas = (union.parentSchema as { anyOf?: unknown } | undefined)?.anyOf;
  if (Array.isArray(schemas)) {
    // verbose: the alternatives themselves, whatever failed in them (a number fails on `type`)
    if (!schemas.every((alternative) => typeof alternative === 'object' && alternative !== null && 'const' in alternative)) return undefined;
    allowed = schemas.map((alternative) => (alternative as { const: unknown }).const);
  } else {
    const failed = errors.filter((e) => e !== union && e.instancePath === union.instancePath && e.schemaPath.startsWith(`${union.schemaPath}/`));
    if (failed.length === 0 || failed.some((e) => e.keyword !== 'const')) return undefined;
    allowed = failed.map((e) => (e.params as { allowedValue?: unknown }).allowedValue);
  }
  return `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
}

/**
 * The error to report. ajv reports a failed `anyOf` after the errors of every alternative, and the
 * first of those is usually "wrong alternative" noise (`"*"` given a list: "must be equal to
 * constant"). Within an `anyOf`, the first error below the value itself wins (the alternative that
 * fits the shape and fails deeper); when every alternative fails on the shape, the `anyOf` itself
 * is reported, worded by its schema's `description` when ajv kept it (`verbose`), else by the
 * constants it allows. A value of the wrong type, or a discriminated `oneOf` whose tag matches no
 * alternative ("value of tag "from" must be in oneOf"), is worded by the schema's `description`
 * too, which says what is allowed.
 */
function relevantError(errors: ErrorObject[]): { error: ErrorObject; message: string | undefined } {
  const first = errors[0] as ErrorObject;
  const union = errors.find((e) => e.keyword === 'anyOf' && isWithin(first.instancePath, e.instancePath));
  if (union === undefined) {
    const described = first.keyword === 'discriminator' || first.keyword === 'type' ? descriptionOf(first) : undefined;
    return { error: first, message: described ?? first.message };
  }
  const specific = errors.find(
    (e) =>
      e !== union &&
      e.keyword !== 'anyOf' &&
      isWithin(e.instancePath, union.instancePath) &&
      !(e.instancePath === union.instancePath && SHAPE_KEYWORDS.has(e.keyword)),
  );
  if (specific !== undefined) return { error: specific, message: specific.message };
  return { error: union, message: descriptionOf(union) ?? allowedConstants(errors, union) ?? union.message };
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
