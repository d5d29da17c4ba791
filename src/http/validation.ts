import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Admin API validation. Bodies are checked strictly (no type coercion, unknown fields refused, so
 * a typo is an error rather than silently dropped); query strings and path parameters are text,
 * so their numbers are coerced.
 */
// verbose: errors carry their schema, so a failed choice can say what it allows (never the value)
const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false, verbose: true });
const coercing = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false, verbose: true });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object);
};

/** Fastify's schema-validation failures become the catalog's `invalid_request`, naming the field. */
export { validationError } from '../validation-errors.js';
