import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import qs from 'qs';
import { isAmpstreamError } from '../errors.js';
import { redactSync } from '../sync/sync-redaction.js';
import { SYNC_OPERATORS, type SyncConfig } from '../sync/sync-schema.js';
import { validateSyncInput } from '../sync/sync-validation.js';
import {
  actionValue,
  anchorLabel,
  applyAction,
  errorAnchor,
  formName,
  formToSyncInput,
  formatNames,
  formatValues,
  newSyncFormState,
  parseAction,
  parseForm,
  parseNames,
  parseValues,
  rowLetter,
  shownError,
  stateToSyncInput,
  syncToFormState,
  type SyncFormState,
} from './sync-form.js';

/** What a browser posts for the state: every text field (also empty), checked boxes as "on", unchecked ones not at all. */
function posted(state: SyncFormState, extra: Record<string, string> = {}): unknown {
  const pairs: [string, string][] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'boolean') {
      if (value) pairs.push([formName(path), 'on']);
    } else if (typeof value === 'string') {
      pairs.push([formName(path), value]);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}.${index}`));
    } else {
      for (const [key, item] of Object.entries(value as object)) walk(item, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(state, '');
  for (const [name, value] of Object.entries(extra)) pairs.push([name, value]);
  // the same parser options as ui-routes.tsx
  return qs.parse(new URLSearchParams(pairs).toString(), { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 });
}

function errorOf(run: () => unknown): { field: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    if (isAmpstreamError(error)) return { field: error.field, message: error.message };
    throw error;
  }
  assert.fail('expected a validation error');
}

const CONFIG: SyncConfig = validateSyncInput(
  {
    name: '  Customer.io (prod)',
    project_id: 2,
    enabled: false,
    customerio: { site_id: 'site-1', api_key: 'stored-key', region: 'eu' },
    identifier: { from: 'user_property', name: 'email' },
    send_events: {
      enabled: true,
      events: [
        { event_type: 'Order Completed', where: [{ scope: 'event', property: 'total', op: 'greater or equal', values: [100] }] },
        {
          event_type: '*',
          where: [
            { scope: 'field', property: 'platform', op: 'is', values: ['iOS', 'Android'] },
            { scope: 'user', property: 'plan', op: 'is not', values: ['(none)'] },
            { scope: 'event', property: 'note', op: 'contains', values: ['Hello, world', ' padded ', '"quoted"', '', 'two\nlines'] },
            { scope: 'event', property: 'flag', op: 'is', values: [true, 42, '042'] },
            { scope: 'event', property: 'price', op: 'less', values: ['9.5'] },
          ],
        },
        { event_type: 'Viewed, page', where: [] },
      ],
      properties: { event: ['a', 'b, c', ' spaced'], user: '*' },
      anonymous: true,
    },
    send_users: { enabled: false, properties: [] },
    options: { convert_dates: false, stringify_values: true },
  },
  'create',
);

describe('sync form: view → form → input', () => {
  it('an edit that changes nothing gives back the same config (kept key, typed values kept)', () => {
    const view = redactSync(CONFIG);
    const input = formToSyncInput(posted(syncToFormState(view)), 'edit', view);
    assert.equal('project_id' in input, false, 'the project is fixed after creation');
    assert.equal('api_key' in (input.customerio as object), false, 'an empty key is left out');
    assert.deepEqual(validateSyncInput(input, 'replace', CONFIG), CONFIG);
  });

  it('a form filled in as a person would (texts, numbers only where compared as numbers) creates that config', () => {
    const config = validateSyncInput(
      {
        name: 'Web',
        project_id: 1,
        customerio: { site_id: 's', api_key: 'k', region: 'us' },
        send_events: {
          events: [{ event_type: 'Signed Up', where: [{ scope: 'event', property: 'age', op: 'greater', values: [17.5] }, { scope: 'user', property: 'plan', op: 'set is', values: ['pro', 'team'] }] }],
        },
        send_users: { properties: ['email'] },
      },
      'create',
    );
    const state = syncToFormState(redactSync(config));
    state.customerio.api_key = 'k';
    const input = formToSyncInput(posted(state), 'create');
    assert.deepEqual(validateSyncInput(input, 'create'), config);
  });

  it('the identifier picker: User ID, a user property seen at ingest, or another one typed', () => {
    const seen = syncToFormState(redactSync(CONFIG), ['plan', 'email']);
    assert.deepEqual(seen.identifier, { choice: 'property:email', name: '' });
    assert.deepEqual(stateToSyncInput(seen, 'edit').identifier, { from: 'user_property', name: 'email' });
    const other = syncToFormState(redactSync(CONFIG), ['plan']);
    assert.deepEqual(other.identifier, { choice: 'other', name: 'email' });
    assert.deepEqual(stateToSyncInput(other, 'edit').identifier, { from: 'user_property', name: 'email' });
    assert.deepEqual(stateToSyncInput({ ...other, identifier: { choice: 'user_id', name: 'ignored' } }, 'edit').identifier, { from: 'user_id' });
  });

  it('a new sync starts from the schema defaults', () => {
    const state = newSyncFormState(3);
    assert.equal(state.project_id, '3');
    assert.equal(state.name, '');
    assert.equal(state.enabled, true);
    assert.deepEqual(state.send_events.events, [{ event_type: '*', where: [] }]);
    assert.equal(state.send_events.properties.event.all, true);
    assert.deepEqual(state.send_events.properties.user, { all: false, list: '', add: '' });
    assert.equal(state.send_users.properties.all, true);
    assert.deepEqual(state.options, { convert_dates: true, stringify_values: false });
  });
});

describe('sync form: clause values', () => {
  it('every operator: numbers only for less … greater or equal, text otherwise; each validates', () => {
    for (const op of SYNC_OPERATORS) {
      const numeric = op === 'less' || op === 'less or equal' || op === 'greater' || op === 'greater or equal';
      const values = parseValues('5', op);
      assert.deepEqual(values, numeric ? [5] : ['5'], op);
      const state = newSyncFormState(1);
      Object.assign(state, { name: 'n' });
      state.customerio = { site_id: 's', api_key: 'k', region: 'us' };
      state.send_events.events[0]!.where = [{ scope: 'event', property: 'p', op, values: '5' }];
      const config = validateSyncInput(formToSyncInput(posted(state), 'create'), 'create');
      assert.deepEqual(config.send_events.events[0]!.where[0], { scope: 'event', property: 'p', op, values: numeric ? [5] : ['5'] }, op);
    }
  });

  it('one value per line or comma-separated; quotes keep commas, spaces and quotes; blanks are skipped', () => {
    assert.deepEqual(parseValues('iOS, Android\n\n  web  \n', 'is'), ['iOS', 'Android', 'web']);
    assert.deepEqual(parseValues('"Hello, world", " x ",""', 'is'), ['Hello, world', ' x ', '']);
    assert.deepEqual(parseValues('"unterminated, b', 'is'), ['"unterminated', 'b']);
    assert.deepEqual(parseValues('-3.5, 1e3, abc, "7"', 'less'), [-3.5, 1000, 'abc', '7']);
    assert.deepEqual(parseValues('true', 'is'), ['true']);
    for (const values of [['a', 'b, c', ' d', '"e"', '', 'f\ng'], [1, true, 'x']]) {
      assert.deepEqual(parseValues(formatValues(values), 'is'), values.map(String));
    }
  });

  it('property names: one per line, commas belong to the name, quotes keep spaces', () => {
    assert.deepEqual(parseNames('plan\n  email \nutm, source\n\n" padded"'), ['plan', 'email', 'utm, source', ' padded']);
    const names = ['a', 'b, c', ' d', '"e"'];
    assert.deepEqual(parseNames(formatNames(names)), names);
  });
});

describe('sync form: switches and the key', () => {
  it('a checkbox left unchecked is false', () => {
    const state = parseForm(qs.parse('name=x&send_events[events][0][event_type]=*'));
    assert.equal(state.enabled, false);
    assert.equal(state.send_events.enabled, false);
    assert.equal(state.send_events.anonymous, false);
    assert.equal(state.send_users.enabled, false);
    assert.deepEqual(state.options, { convert_dates: false, stringify_values: false });
    assert.deepEqual(state.send_users.properties, { all: false, list: '', add: '' });
    const input = stateToSyncInput(state, 'create');
    assert.equal(input.enabled, false);
    assert.deepEqual(input.send_users, { enabled: false, properties: [] });
  });

  it('an empty key on edit keeps the stored one (same Site ID); a new Site ID needs its key', () => {
    const view = redactSync(CONFIG);
    const state = syncToFormState(view);
    state.customerio.api_key = '   ';
    assert.equal(validateSyncInput(stateToSyncInput(state, 'edit', view), 'replace', CONFIG).customerio.api_key, 'stored-key');
    state.customerio.site_id = 'site-2';
    assert.equal(errorOf(() => validateSyncInput(stateToSyncInput(state, 'edit', view), 'replace', CONFIG)).field, 'customerio.api_key');
    state.customerio.api_key = ' new-key ';
    assert.deepEqual(validateSyncInput(stateToSyncInput(state, 'edit', view), 'replace', CONFIG).customerio, { site_id: 'site-2', api_key: 'new-key', region: 'eu' });
  });

  it('an empty key on create is required', () => {
    const state = { ...newSyncFormState(1), name: 'n' };
    state.customerio.site_id = 's';
    const error = errorOf(() => validateSyncInput(stateToSyncInput(state, 'create'), 'create'));
    assert.equal(error.field, 'customerio.api_key');
    assert.deepEqual(shownError(error, state), { anchor: 'customerio.api_key', label: 'API key', message: 'required' });
  });

  it('the property picker adds its name on save as well', () => {
    const state = newSyncFormState(1);
    state.send_users.properties = { all: false, list: 'plan', add: 'email' };
    assert.deepEqual(stateToSyncInput(state, 'create').send_users, { enabled: true, properties: ['plan', 'email'] });
    state.send_users.properties.all = true;
    assert.deepEqual(stateToSyncInput(state, 'create').send_users, { enabled: true, properties: '*' });
  });
});

describe('sync form: row buttons', () => {
  it('parses and writes the action values', () => {
    const actions = [
      { kind: 'save' },
      { kind: 'test-connection' },
      { kind: 'add-row' },
      { kind: 'remove-row', row: 2 },
      { kind: 'add-clause', row: 0 },
      { kind: 'remove-clause', row: 1, clause: 3 },
      { kind: 'add-property', selection: 'send_users.properties' },
    ] as const;
    for (const action of actions) assert.deepEqual(parseAction(actionValue(action)), action);
    assert.deepEqual(parseAction(undefined), { kind: 'save' });
    assert.deepEqual(parseAction('add-property:constructor'), { kind: 'refresh' });
    assert.deepEqual(parseAction('drop-everything'), { kind: 'refresh' });
  });

  it('adds and removes rows and conditions, keeping what was typed, and says where the focus goes', () => {
    const state = newSyncFormState(1);
    state.send_events.events[0]!.event_type = 'Typed';
    let result = applyAction(state, { kind: 'add-row' });
    assert.equal(result.focus, 'f-send_events-events-1-event_type');
    assert.deepEqual(result.state.send_events.events, [{ event_type: 'Typed', where: [] }, { event_type: '', where: [] }]);
    result = applyAction(result.state, { kind: 'add-clause', row: 1 });
    assert.equal(result.focus, 'f-send_events-events-1-where-0-scope');
    result.state.send_events.events[1]!.where[0]!.values = 'kept';
    result = applyAction(result.state, { kind: 'add-clause', row: 1 });
    result = applyAction(result.state, { kind: 'remove-clause', row: 1, clause: 1 });
    assert.equal(result.focus, 'f-send_events-events-1-where-0-scope');
    assert.equal(result.state.send_events.events[1]!.where[0]!.values, 'kept');
    result = applyAction(result.state, { kind: 'remove-clause', row: 1, clause: 0 });
    assert.equal(result.focus, 'add-clause-1');
    result = applyAction(result.state, { kind: 'remove-row', row: 0 });
    assert.deepEqual(result.state.send_events.events, [{ event_type: '', where: [] }]);
    assert.equal(result.focus, 'f-send_events-events-0-event_type');
    const only = applyAction(result.state, { kind: 'remove-row', row: 0 });
    assert.equal(only.state.send_events.events.length, 1, 'the only row stays');
    assert.equal(state.send_events.events.length, 1, 'the input state is not changed');
  });

  it('adds a picked property to its list', () => {
    const state = newSyncFormState(1);
    state.send_events.properties.user = { all: false, list: 'plan', add: 'email' };
    const result = applyAction(state, { kind: 'add-property', selection: 'send_events.properties.user' });
    assert.deepEqual(result.state.send_events.properties.user, { all: false, list: 'plan\nemail', add: '' });
    assert.equal(result.focus, 'f-send_events-properties-user-add');
  });
});

describe('sync form: errors next to their field', () => {
  const state = syncToFormState(redactSync(CONFIG));

  it('maps a path to its control or the nearest group shown', () => {
    assert.equal(errorAnchor('send_events.events.1.where.2.values', state), 'send_events.events.1.where.2.values');
    assert.equal(errorAnchor('send_events.events.1.where.2.values.3', state), 'send_events.events.1.where.2.values');
    assert.equal(errorAnchor('send_events.events.1.where', state), 'send_events.events.1.where');
    assert.equal(errorAnchor('send_events.properties.event.2', state), 'send_events.properties.event');
    assert.equal(errorAnchor('identifier', state), 'identifier.choice');
    assert.equal(errorAnchor('identifier.name', state), 'identifier.name');
    assert.equal(errorAnchor('customerio.api_key', state), 'customerio.api_key');
    assert.equal(errorAnchor('nowhere', state), undefined);
    assert.equal(errorAnchor(undefined, state), undefined);
  });

  it('names the place for the summary and words the problem plainly', () => {
    assert.equal(anchorLabel('send_events.events.1.where.2.values'), 'Row B, condition 3: values');
    assert.equal(anchorLabel('send_events.events.0.event_type'), 'Row A: event type');
    assert.equal(anchorLabel('send_events.events.27'), 'Row AB');
    assert.equal(rowLetter(25), 'Z');
    assert.equal(rowLetter(26), 'AA');
    const broken = structuredClone(state);
    broken.send_events.events[1]!.where[4]!.values = '';
    const error = errorOf(() => validateSyncInput(stateToSyncInput(broken, 'edit'), 'replace', CONFIG));
    assert.deepEqual(shownError(error, broken), {
      anchor: 'send_events.events.1.where.4.values',
      label: 'Row B, condition 5: values',
      message: 'give at least one',
    });
  });
});
