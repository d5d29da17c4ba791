import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { AmpstreamError } from '../errors.js';
import { redactSync } from './sync-redaction.js';
import { SyncViewSchema, type SyncConfig } from './sync-schema.js';
import { validateSyncInput } from './sync-validation.js';

const SECRET = 'sk-live-4f9c2a7e1b';
const minimal = { name: 'Customer.io (prod)', project_id: 1, customerio: { site_id: 'site-1', api_key: SECRET } };

/** The error a bad input gives: its field and message (and never the key). */
function rejection(input: unknown, mode: 'create' | 'replace' | 'patch' = 'create', existing?: SyncConfig): { field: string | undefined; message: string } {
  try {
    if (mode === 'create') validateSyncInput(input, 'create');
    else validateSyncInput(input, mode, existing as SyncConfig);
  } catch (error) {
    assert.ok(error instanceof AmpstreamError, String(error));
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.status, 400);
    assert.ok(!error.message.includes(SECRET) && !JSON.stringify(error.toBody()).includes(SECRET), 'the key never appears in an error');
    return { field: error.field, message: error.message };
  }
  assert.fail('expected the input to be refused');
}

function withRow(row: unknown): unknown {
  return { ...minimal, send_events: { events: [row] } };
}

function withClause(clause: unknown): unknown {
  return withRow({ event_type: '*', where: [clause] });
}

describe('validateSyncInput: create', () => {
  it('fills every default of the cases README into a minimal sync', () => {
    assert.deepEqual(validateSyncInput(minimal, 'create'), {
      name: 'Customer.io (prod)',
      project_id: 1,
      enabled: true,
      customerio: { site_id: 'site-1', api_key: SECRET, region: 'us' },
      identifier: { from: 'user_id' },
      send_events: {
        enabled: true,
        events: [{ event_type: '*', where: [] }],
        properties: { event: '*', user: [] },
        anonymous: false,
      },
      send_users: { enabled: true, properties: '*' },
      options: { convert_dates: true, stringify_values: false },
    });
  });

  it('fills defaults inside a part that is given in part, and in rows without where', () => {
    const config = validateSyncInput(
      { ...minimal, send_events: { anonymous: true, events: [{ event_type: 'Signup' }] }, send_users: { enabled: false } },
      'create',
    );
    assert.deepEqual(config.send_events, {
      anonymous: true,
      events: [{ event_type: 'Signup', where: [] }],
      enabled: true,
      properties: { event: '*', user: [] },
    });
    assert.deepEqual(config.send_users, { enabled: false, properties: '*' });
  });

  it('keeps the full example of the issue as given', () => {
    const full = {
      name: 'Customer.io (prod)',
      project_id: 3,
      enabled: false,
      customerio: { site_id: 'site-1', api_key: SECRET, region: 'eu' },
      identifier: { from: 'user_property', name: 'email' },
      send_events: {
        enabled: true,
        events: [
          { event_type: 'Order Completed', where: [{ scope: 'event', property: 'total', op: 'greater', values: [100] }] },
          { event_type: '*', where: [{ scope: 'field', property: 'platform', op: 'is', values: ['iOS', 'Android'] }] },
        ],
        properties: { event: ['total', 'utm.source'], user: ['plan'] },
        anonymous: true,
      },
      send_users: { enabled: true, properties: ['plan', 'email'] },
      options: { convert_dates: false, stringify_values: true },
    };
    assert.deepEqual(validateSyncInput(full, 'create'), full);
  });

  it('refuses a name with control characters or bidirectional overrides, naming the field', () => {
    for (const name of ['to\u202eCustomer.io', 'line\nbreak', 'nul\u0000']) {
      assert.throws(
        () => validateSyncInput({ ...minimal, name }, 'create'),
        (error: AmpstreamError) => error.field === 'name' && /control characters or bidirectional overrides/.test(error.message),
      );
    }
  });

  it('refuses invisible and format characters in a name, naming the field and the character', () => {
    for (const [name, found] of [['Sh\u200bop', 'U+200B'], ['\u3164', undefined], ['Shop\u200e', 'U+200E'], ['Sh\u00adop', 'U+00AD'], ['Shop\u{e0020}x', 'U+E0020'], ['a\u2028b', 'U+2028']]) {
      const refused = rejection({ ...minimal, name });
      assert.equal(refused.field, 'name');
      assert.equal(
        refused.message,
        found === undefined ? 'name: must not be empty (spaces and invisible characters alone are no name)' : `name: must not contain invisible or format characters (found ${found})`,
        JSON.stringify(name),
      );
    }
  });

  it('stores a name without its surrounding whitespace, on create, replace and patch', () => {
    assert.equal(validateSyncInput({ ...minimal, name: '  Customer.io (prod)\t' }, 'create').name, 'Customer.io (prod)');
    const existing = validateSyncInput(minimal, 'create');
    assert.equal(validateSyncInput({ ...minimal, name: ' Renamed ' }, 'replace', existing).name, 'Renamed');
    assert.equal(validateSyncInput({ name: ' Renamed ' }, 'patch', existing).name, 'Renamed');
  });

  it('keeps an unchanged name a rule did not exist for yet, so the sync can still be switched off', () => {
    const existing = { ...validateSyncInput(minimal, 'create'), name: ' Old\u200bname' };
    assert.equal(validateSyncInput({ enabled: false }, 'patch', existing).name, ' Old\u200bname');
    assert.equal(rejection({ name: 'New\u200bname' }, 'patch', existing).field, 'name', 'a new name is checked');
  });

  it('takes project_id as a numeric string and stores a number', () => {
    assert.equal(validateSyncInput({ ...minimal, project_id: '42' }, 'create').project_id, 42);
    assert.deepEqual(rejection({ ...minimal, project_id: 'abc' }), {
      field: 'project_id',
      message: 'project_id: must be a positive integer or a numeric string',
    });
    assert.equal(rejection({ ...minimal, project_id: '0' }).field, 'project_id');
    assert.equal(rejection({ ...minimal, project_id: 1.5 }).field, 'project_id');
  });

  it('refuses a body that is not an object, saying what it got and what a sync looks like', () => {
    const expected = 'a sync must be a JSON object such as {"name": …, "project_id": …, "customerio": {…}}; got';
    assert.equal(rejection([minimal]).message, `${expected} a list`);
    assert.equal(rejection(null).message, `${expected} null`);
    assert.equal(rejection(undefined).message, `${expected} nothing`);
    assert.equal(rejection(JSON.stringify(minimal)).message, `${expected} a string`);
  });

  it('names a missing required field', () => {
    assert.deepEqual(rejection({ project_id: 1, customerio: minimal.customerio }), { field: 'name', message: 'name: required' });
    assert.deepEqual(rejection({ ...minimal, customerio: { site_id: 'site-1' } }), {
      field: 'customerio.api_key',
      message: 'customerio.api_key: required',
    });
    assert.equal(rejection({ ...minimal, customerio: undefined }).field, 'customerio');
  });

  it('refuses unknown fields at every level, so a typo is never ignored', () => {
    assert.deepEqual(rejection({ ...minimal, send_user: { enabled: false } }), { field: 'send_user', message: 'send_user: unknown field' });
    assert.deepEqual(rejection({ ...minimal, options: { convert_date: false } }), {
      field: 'options.convert_date',
      message: 'options.convert_date: unknown field',
    });
    assert.equal(rejection(withClause({ scope: 'event', property: 'a', op: 'is', values: ['x'], value: 'y' })).field, 'send_events.events.0.where.0.value');
    assert.equal(rejection({ ...minimal, identifier: { from: 'user_id', name: 'email' } }).field, 'identifier.name');
  });

  it('names the field of a wrong type or value, with the allowed values of an enum', () => {
    assert.deepEqual(rejection({ ...minimal, enabled: 'yes' }), { field: 'enabled', message: 'enabled: must be boolean' });
    assert.deepEqual(rejection({ ...minimal, customerio: { ...minimal.customerio, region: 'de' } }), {
      field: 'customerio.region',
      message: 'customerio.region: must be equal to one of the allowed values ("us", "eu")',
    });
    const op = rejection(withClause({ scope: 'event', property: 'a', op: 'equals', values: ['x'] }));
    assert.equal(op.field, 'send_events.events.0.where.0.op');
    assert.match(op.message, /"glob does not match"/);
  });

  it('names the clause of the second where in a later row', () => {
    const input = {
      ...minimal,
      send_events: {
        events: [
          { event_type: 'A' },
          { event_type: 'B', where: [{ scope: 'event', property: 'a', op: 'is', values: ['x'] }, { scope: 'device', property: 'a', op: 'is', values: ['x'] }] },
        ],
      },
    };
    assert.equal(rejection(input).field, 'send_events.events.1.where.1.scope');
  });

  it('explains a property selection that is neither "*" nor a list', () => {
    assert.deepEqual(rejection({ ...minimal, send_users: { properties: 'all' } }), {
      field: 'send_users.properties',
      message: 'send_users.properties: must be "*" (every property) or a list of property names',
    });
    assert.deepEqual(rejection({ ...minimal, send_events: { properties: { event: ['ok', 7] } } }), {
      field: 'send_events.properties.event.1',
      message: 'send_events.properties.event.1: must be string',
    });
    assert.equal(validateSyncInput({ ...minimal, send_users: { properties: [] } }, 'create').send_users.properties.length, 0);
  });

  it('explains a clause value that is not a scalar', () => {
    assert.deepEqual(rejection(withClause({ scope: 'event', property: 'a', op: 'is', values: ['x', null] })), {
      field: 'send_events.events.0.where.0.values.1',
      message: 'send_events.events.0.where.0.values.1: must be a string, a number or a boolean',
    });
  });

  it('needs a property name for an identifier read from a user property', () => {
    assert.deepEqual(rejection({ ...minimal, identifier: { from: 'user_property' } }), { field: 'identifier.name', message: 'identifier.name: required' });
    const identifierMessage = 'identifier: must be {"from":"user_id"} or {"from":"user_property","name":…}';
    for (const identifier of [{ from: 'email' }, { from: 5 }, 'user_id', null, []]) {
      assert.deepEqual(rejection({ ...minimal, identifier }), { field: 'identifier', message: identifierMessage }, JSON.stringify(identifier));
    }
    assert.equal(rejection({ ...minimal, identifier: { from: 'user_property', name: '' } }).field, 'identifier.name');
  });

  it('enforces the limits: name length, rows, clauses, values, property names', () => {
    assert.equal(validateSyncInput({ ...minimal, name: 'n'.repeat(200) }, 'create').name.length, 200);
    assert.deepEqual(rejection({ ...minimal, name: 'n'.repeat(201) }), { field: 'name', message: 'name: must be at most 200 characters (it has 201)' });
    assert.equal(validateSyncInput({ ...minimal, name: '💥'.repeat(200) }, 'create').name, '💥'.repeat(200), 'counted in characters (code points), as projects are');
    assert.equal(rejection({ ...minimal, name: '💥'.repeat(201) }).field, 'name');
    assert.equal(rejection({ ...minimal, name: '' }).field, 'name');
    assert.deepEqual(rejection({ ...minimal, name: '   ' }), { field: 'name', message: 'name: must not be empty (spaces and invisible characters alone are no name)' });
    assert.deepEqual(rejection({ ...minimal, name: 7 }), { field: 'name', message: 'name: must be string' });

    const row = { event_type: '*' };
    assert.equal(validateSyncInput({ ...minimal, send_events: { events: Array(50).fill(row) } }, 'create').send_events.events.length, 50);
    assert.deepEqual(rejection({ ...minimal, send_events: { events: Array(51).fill(row) } }), {
      field: 'send_events.events',
      message: 'send_events.events: must NOT have more than 50 items',
    });
    assert.equal(rejection({ ...minimal, send_events: { events: [] } }).field, 'send_events.events');

    const clause = { scope: 'event', property: 'a', op: 'is', values: ['x'] };
    assert.ok(validateSyncInput(withRow({ event_type: '*', where: Array(20).fill(clause) }), 'create'));
    assert.equal(rejection(withRow({ event_type: '*', where: Array(21).fill(clause) })).field, 'send_events.events.0.where');

    assert.ok(validateSyncInput(withClause({ ...clause, values: Array(100).fill('x') }), 'create'));
    assert.equal(rejection(withClause({ ...clause, values: Array(101).fill('x') })).field, 'send_events.events.0.where.0.values');
    assert.equal(rejection(withClause({ ...clause, values: [] })).field, 'send_events.events.0.where.0.values');

    const names = Array.from({ length: 1000 }, (_, i) => `p${i}`);
    assert.ok(validateSyncInput({ ...minimal, send_users: { properties: names } }, 'create'));
    assert.equal(rejection({ ...minimal, send_users: { properties: [...names, 'one-more'] } }).field, 'send_users.properties');
  });

  it('refuses a field clause on a field events do not have', () => {
    const refused = rejection(withClause({ scope: 'field', property: 'userid', op: 'is', values: ['(none)'] }));
    assert.equal(refused.field, 'send_events.events.0.where.0.property');
    assert.match(refused.message, /"userid" is not an event field \(one of: user_id, device_id/);
    assert.ok(validateSyncInput(withClause({ scope: 'field', property: 'user_id', op: 'is not', values: ['(none)'] }), 'create'));
    assert.ok(validateSyncInput(withClause({ scope: 'user', property: 'userid', op: 'is', values: ['x'] }), 'create'), 'any name for properties');
  });

  it('needs exactly one number for less, less or equal, greater, greater or equal', () => {
    for (const op of ['less', 'less or equal', 'greater', 'greater or equal']) {
      assert.ok(validateSyncInput(withClause({ scope: 'event', property: 'total', op, values: [10] }), 'create'));
      assert.ok(validateSyncInput(withClause({ scope: 'event', property: 'total', op, values: ['10.5'] }), 'create'));
      assert.deepEqual(rejection(withClause({ scope: 'event', property: 'total', op, values: ['ten'] })), {
        field: 'send_events.events.0.where.0.values',
        message: `send_events.events.0.where.0.values: "${op}" compares with exactly one number`,
      });
      assert.equal(rejection(withClause({ scope: 'event', property: 'total', op, values: [1, 2] })).field, 'send_events.events.0.where.0.values');
    }
  });

  it('takes (none) only with is, is not, set is and set is not', () => {
    for (const op of ['is', 'is not', 'set is', 'set is not']) {
      assert.ok(validateSyncInput(withClause({ scope: 'user', property: 'email', op, values: ['(none)'] }), 'create'));
    }
    assert.deepEqual(rejection(withClause({ scope: 'user', property: 'email', op: 'contains', values: ['(none)'] })), {
      field: 'send_events.events.0.where.0.values',
      message: 'send_events.events.0.where.0.values: (none) goes only with is, is not, set is, set is not',
    });
  });

  it('refuses a row for $identify or $groupidentify: they are user updates', () => {
    const refused = rejection(withRow({ event_type: '$identify' }));
    assert.equal(refused.field, 'send_events.events.0.event_type');
    assert.match(refused.message, /user updates/);
    assert.equal(rejection(withRow({ event_type: '$groupidentify' })).field, 'send_events.events.0.event_type');
  });

  it('never puts the key in an error about the key', () => {
    assert.equal(rejection({ ...minimal, customerio: { site_id: 'site-1', api_key: `${SECRET} with spaces` } }).field, 'customerio.api_key');
    assert.equal(rejection({ ...minimal, customerio: { site_id: 'site-1', api_key: SECRET.repeat(30) } }).field, 'customerio.api_key');
  });

  it('does not modify its input', () => {
    const input = structuredClone(minimal);
    validateSyncInput(input, 'create');
    assert.deepEqual(input, minimal);
  });
});

describe('validateSyncInput: replace and patch', () => {
  const existing = validateSyncInput(
    { ...minimal, identifier: { from: 'user_property', name: 'email' }, send_users: { properties: ['plan', 'email'] } },
    'create',
  );

  it('replace takes a whole config: what it leaves out goes back to the defaults', () => {
    const replaced = validateSyncInput({ name: 'Renamed', customerio: { site_id: 'site-1', api_key: 'new-key' } }, 'replace', existing);
    assert.equal(replaced.name, 'Renamed');
    assert.equal(replaced.project_id, 1, 'the project is kept');
    assert.equal(replaced.customerio.api_key, 'new-key');
    assert.deepEqual(replaced.identifier, { from: 'user_id' });
    assert.equal(replaced.send_users.properties, '*');
  });

  it('replace without the key keeps the existing key for the same site', () => {
    const replaced = validateSyncInput({ name: 'Renamed', customerio: { site_id: 'site-1', region: 'eu' } }, 'replace', existing);
    assert.deepEqual(replaced.customerio, { site_id: 'site-1', api_key: SECRET, region: 'eu' });
  });

  it('takes back what redactSync shows: api_key_set: true keeps the key', () => {
    const shown = redactSync(existing);
    assert.deepEqual(validateSyncInput(shown, 'replace', existing), existing);
    assert.deepEqual(validateSyncInput({ customerio: { api_key_set: true } }, 'patch', existing), existing);
    assert.deepEqual(rejection({ ...shown, customerio: { ...shown.customerio, api_key_set: false } }, 'replace', existing).field, 'customerio.api_key_set');
    assert.equal(rejection({ ...minimal, customerio: { site_id: 'site-1', api_key_set: true } }).field, 'customerio.api_key', 'a new sync has no key to keep');
  });

  it('needs a new key with a new site_id: a key belongs to one site', () => {
    for (const mode of ['replace', 'patch'] as const) {
      assert.deepEqual(rejection({ name: 'x', customerio: { site_id: 'site-2' } }, mode, existing), {
        field: 'customerio.api_key',
        message: 'customerio.api_key: required when customerio.site_id changes (a Track API key belongs to one site)',
      });
    }
    assert.equal(validateSyncInput({ customerio: { site_id: 'site-2', api_key: 'key-2' } }, 'patch', existing).customerio.api_key, 'key-2');
  });

  it('names a site_id that is itself wrong before asking for a key for it', () => {
    for (const mode of ['replace', 'patch'] as const) {
      for (const siteId of ['', ' ', 5, false]) {
        assert.equal(rejection({ name: 'x', customerio: { site_id: siteId } }, mode, existing).field, 'customerio.site_id', `${mode} ${JSON.stringify(siteId)}`);
      }
    }
  });

  it('patch merges over the existing config and replaces lists whole', () => {
    const patched = validateSyncInput(
      { send_events: { anonymous: true, properties: { user: ['plan'] } }, send_users: { properties: ['plan'] } },
      'patch',
      existing,
    );
    assert.equal(patched.send_events.anonymous, true);
    assert.deepEqual(patched.send_events.properties, { event: '*', user: ['plan'] });
    assert.deepEqual(patched.send_users.properties, ['plan']);
    assert.deepEqual(patched.identifier, { from: 'user_property', name: 'email' }, 'untouched parts stay');
    assert.equal(patched.customerio.api_key, SECRET);
  });

  it('patch with null resets a part to its default, and a required field to an error', () => {
    const reset = validateSyncInput({ identifier: null, send_users: { properties: null } }, 'patch', existing);
    assert.deepEqual(reset.identifier, { from: 'user_id' });
    assert.equal(reset.send_users.properties, '*');
    assert.deepEqual(rejection({ name: null }, 'patch', existing), { field: 'name', message: 'name: required' });
  });

  it('patch of the identifier replaces it as a whole object only where it merges cleanly', () => {
    assert.deepEqual(validateSyncInput({ identifier: { name: 'work_email' } }, 'patch', existing).identifier, { from: 'user_property', name: 'work_email' });
    assert.equal(rejection({ identifier: { from: 'user_id' } }, 'patch', existing).field, 'identifier.name', 'name must be removed with null');
    assert.deepEqual(validateSyncInput({ identifier: { from: 'user_id', name: null } }, 'patch', existing).identifier, { from: 'user_id' });
  });

  it('keeps a sync in its project', () => {
    assert.equal(validateSyncInput({ project_id: '1' }, 'patch', existing).project_id, 1);
    assert.deepEqual(rejection({ project_id: 2 }, 'patch', existing), {
      field: 'project_id',
      message: 'project_id: a sync stays in its project; create a new sync for another project',
    });
    assert.equal(rejection({ ...minimal, project_id: 2 }, 'replace', existing).field, 'project_id');
  });

  it('validates the patched result like a new sync, naming the bad field', () => {
    assert.equal(rejection({ send_events: { events: [{ event_type: 'A', where: [{ scope: 'event' }] }] } }, 'patch', existing).field, 'send_events.events.0.where.0.property');
    assert.equal(rejection({ typo: 1 }, 'patch', existing).field, 'typo');
  });

  it('does not modify the existing config', () => {
    const before = structuredClone(existing);
    validateSyncInput({ name: 'x', send_users: { properties: null } }, 'patch', existing);
    assert.deepEqual(existing, before);
  });
});

describe('redactSync', () => {
  it('shows api_key_set instead of the key, and nothing of the key anywhere', () => {
    const config = validateSyncInput(minimal, 'create');
    const shown = redactSync(config);
    assert.deepEqual(shown.customerio, { site_id: 'site-1', region: 'us', api_key_set: true });
    assert.ok(!JSON.stringify(shown).includes(SECRET.slice(-4)));
    assert.deepEqual({ ...shown, customerio: undefined }, { ...config, customerio: undefined });
    assert.equal(config.customerio.api_key, SECRET, 'the config itself keeps its key');
  });

  it('gives what SyncViewSchema describes, a schema that has no room for the key', () => {
    const checkView = new Ajv({ discriminator: true, strict: false }).compile(SyncViewSchema);
    const shown = redactSync(validateSyncInput(minimal, 'create'));
    assert.equal(checkView(shown), true, JSON.stringify(checkView.errors));
    assert.equal(checkView({ ...shown, customerio: { ...shown.customerio, api_key: SECRET } }), false);
  });
});
