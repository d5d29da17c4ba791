import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { Type } from 'typebox';
import { validationError } from './validation-errors.js';

/** The error validationError makes of what ajv says about `value`, with and without ajv's `verbose`. */
function errorFor(schema: object, value: unknown, part?: string, verbose = true): { message: string; field: string | undefined } {
  const check = new Ajv({ allErrors: false, coerceTypes: false, strict: false, verbose }).compile(schema);
  assert.equal(check(value), false, 'the value is refused');
  const error = validationError(check.errors ?? [], part);
  return { message: error.message, field: error.field };
}

describe('validationError', () => {
  it('words a choice of constants as the values allowed, not "must match a schema in anyOf"', () => {
    const schema = Type.Object({ reason: Type.Optional(Type.Union([Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('too_large')])) });
    assert.deepEqual(errorFor(schema, { reason: 'bounced' }, 'body'), {
      message: 'reason: must be one of "rejected", "expired", "too_large"',
      field: 'reason',
    });
    assert.deepEqual(errorFor(schema, { reason: 5 }, 'querystring'), {
      message: 'querystring reason: must be one of "rejected", "expired", "too_large"',
      field: 'reason',
    });
    assert.equal(errorFor(schema, { reason: 'bounced' }, 'body', false).message, 'reason: must be one of "rejected", "expired", "too_large"');
  });

  it('keeps the union wording of a schema that describes itself, and the deeper error of an alternative that fits', () => {
    const described = Type.Object({ p: Type.Union([Type.Literal('*'), Type.Array(Type.String({ minLength: 1 }))], { description: 'must be "*" or a list' }) });
    const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
    const check = ajv.compile(described);
    assert.equal(check({ p: 5 }), false);
    assert.equal(validationError(check.errors ?? []).message, 'p: must be "*" or a list');
    assert.equal(check({ p: [''] }), false);
    assert.equal(validationError(check.errors ?? []).message, 'p.0: must NOT have fewer than 1 characters');
  });
});
