import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { AmpstreamError } from '../errors.js';

/**
 * Admin API validation. Bodies are checked strictly (no type coercion, unknown fields refused, so
 * a typo is an error rather than silently dropped); query strings and path parameters are text,
 * so their numbers are coerced.
 */
const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
const coercing = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object);
};

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

/** Turns fastify's schema-validation failure into the catalog's `invalid_request`, naming the field. */
export function validationError(errors: ErrorObject[], part: string | undefined): AmpstreamError {
  const first = errors[0];
  if (first === undefined) return new AmpstreamError('invalid_request');
  const field = fieldOf(first);
  const params = first.params as Record<string, unknown>;
  let message: string;
  if (first.keyword === 'additionalProperties') message = `${field}: unknown field`;
  else if (first.keyword === 'required') message = `${field}: required`;
  else message = `${field || part || 'request'}: ${first.message ?? 'invalid'}`;
  if (first.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message += ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return new AmpstreamError('invalid_request', part === 'body' || part === undefined ? message : `${part} ${message}`, {
    field: field || (part ?? 'request'),
  });
}
