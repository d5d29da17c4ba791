/**
 * The sync editor's form, pure: the posted form (parsed by qs) as a state of texts and switches,
 * the admin API's sync input made from that state, the state made from a sync, the editor's row
 * buttons, and where the error of a failed save is shown. No HTML here (pages/sync-editor/).
 *
 * Form names follow the config's paths: `send_events.events.0.where.1.values` is posted as
 * `send_events[events][0][where][1][values]`, and its control's id is `f-send_events-events-0-where-1-values`.
 */
import { getOwn, isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import { NUMERIC_OPERATORS } from '../sync/clause-operators.js';
import { numericValue } from '../sync/filter-values.js';
import { redactSync } from '../sync/sync-redaction.js';
import {
  ALL_PROPERTIES,
  SYNC_LIMITS,
  type ClauseValue,
  type PropertySelection,
  type SyncOperator,
  type SyncView,
  type WhereClause,
} from '../sync/sync-schema.js';
import { validateSyncInput } from '../sync/sync-validation.js';
import { fieldId } from './components.js';

/** Whether the form creates a sync (project chosen, key required) or edits one (project fixed, key kept when left empty). */
export type FormMode = 'create' | 'edit';

export interface ClauseForm {
  scope: string;
  property: string;
  op: string;
  /** One value per line; on a line, commas separate values (see `parseValues`). */
  values: string;
}

export interface RowForm {
  event_type: string;
  where: ClauseForm[];
}

/** A property selection: every property, or the names in `list` (one per line); `add` is the picker's name not added yet. */
export interface SelectionForm {
  all: boolean;
  list: string;
  add: string;
}

/** The identifier picker: `user_id`, `property:NAME` (a user property seen at ingest) or `other` (the name typed in `name`). */
export interface IdentifierForm {
  choice: string;
  name: string;
}

export interface SyncFormState {
  name: string;
  project_id: string;
  enabled: boolean;
  /** `api_key` is what this post typed, never the stored key; the page never shows it. */
  customerio: { site_id: string; api_key: string; region: string };
  identifier: IdentifierForm;
  send_events: {
    enabled: boolean;
    events: RowForm[];
    properties: { event: SelectionForm; user: SelectionForm };
    anonymous: boolean;
  };
  send_users: { enabled: boolean; properties: SelectionForm };
  options: { convert_dates: boolean; stringify_values: boolean };
}

/** The paths of the three property selections, as posted and as the config names them. */
export const SELECTION_PATHS = ['send_events.properties.event', 'send_events.properties.user', 'send_users.properties'] as const;
export type SelectionPath = (typeof SELECTION_PATHS)[number];

export const IDENTIFIER_USER_ID = 'user_id';
export const IDENTIFIER_OTHER = 'other';
const IDENTIFIER_PROPERTY_PREFIX = 'property:';

/** The identifier picker's value for a user property seen at ingest. */
export function identifierChoiceFor(propertyName: string): string {
  return `${IDENTIFIER_PROPERTY_PREFIX}${propertyName}`;
}

/** The form name of a config path: `send_events.events.0.event_type` → `send_events[events][0][event_type]`. */
export function formName(path: string): string {
  const [first, ...rest] = path.split('.');
  return `${first}${rest.map((part) => `[${part}]`).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Lists of values and names as text

interface Token {
  text: string;
  /** Written as a JSON string (`"a, b"`): kept exactly, never a number. */
  quoted: boolean;
}

const LEADING_QUOTED = /^\s*("(?:[^"\\]|\\.)*")\s*/;

function jsonString(literal: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(literal);
    return typeof parsed === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** A whole line as one item: trimmed, or exactly what a JSON string literal says. */
function lineToken(line: string): Token | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('"')) {
    const quoted = jsonString(trimmed);
    if (quoted !== undefined) return { text: quoted, quoted: true };
  }
  return trimmed === '' ? undefined : { text: trimmed, quoted: false };
}

/** A line split at commas, except inside a JSON string literal that makes up a whole item. */
function commaTokens(line: string): Token[] {
  const tokens: Token[] = [];
  let rest = line;
  for (;;) {
    const match = LEADING_QUOTED.exec(rest);
    const quoted = match === null ? undefined : jsonString(match[1] as string);
    if (match !== null && quoted !== undefined && (rest.length === match[0].length || rest[match[0].length] === ',')) {
      tokens.push({ text: quoted, quoted: true });
      rest = rest.slice(match[0].length);
    } else {
      const comma = rest.indexOf(',');
      const piece = (comma === -1 ? rest : rest.slice(0, comma)).trim();
      if (piece !== '') tokens.push({ text: piece, quoted: false });
      rest = comma === -1 ? '' : rest.slice(comma);
    }
    if (rest === '') return tokens;
    rest = rest.slice(1); // the comma
  }
}

/** Whether an item must be written as a JSON string to read back the same. */
function needsQuotes(text: string, commas: boolean): boolean {
  return text === '' || text !== text.trim() || text.startsWith('"') || /[\r\n]/.test(text) || (commas && text.includes(','));
}

function itemText(text: string, commas: boolean): string {
  return needsQuotes(text, commas) ? JSON.stringify(text) : text;
}

/**
 * A clause's values from its text: one value per line, and on a line commas separate values;
 * blank items are skipped. A value written in double quotes, as in JSON (`"Hello, world"`), is
 * taken exactly (commas, spaces, quotes). With a numeric operator (`less` … `greater or equal`)
 * a value written as a number is a number; otherwise every value is text.
 */
export function parseValues(text: string, op: string): ClauseValue[] {
  const numeric = NUMERIC_OPERATORS.has(op as SyncOperator);
  return lines(text)
    .flatMap(commaTokens)
    .map((token) => {
      const number = numeric && !token.quoted ? numericValue(token.text) : undefined;
      return number ?? token.text;
    });
}

/** A clause's values as its text: one per line, quoted where needed to read back the same. */
export function formatValues(values: readonly ClauseValue[]): string {
  return values.map((value) => (typeof value === 'string' ? itemText(value, true) : String(value))).join('\n');
}

/** Property names from their text: one per line (commas are part of a name); a name in double quotes keeps its spaces. */
export function parseNames(text: string): string[] {
  return lines(text)
    .map(lineToken)
    .filter((token): token is Token => token !== undefined)
    .map((token) => token.text);
}

export function formatNames(names: readonly string[]): string {
  return names.map((name) => itemText(name, false)).join('\n');
}

// ---------------------------------------------------------------------------------------------
// The posted form → the state

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return text(value[value.length - 1]); // a name posted twice: the last one
  return '';
}

/** A checkbox: posted (any value) when checked, absent when not. */
function checked(value: unknown): boolean {
  return value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function objectOf(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

/** qs makes `[0]…[n]` an array, or an object with numeric keys past its array limit: both, in index order. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isPlainObject(value)) return [];
  return Object.keys(value)
    .filter((key) => /^[0-9]{1,4}$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => value[key]);
}

function at(source: JsonObject, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) value = getOwn(objectOf(value), key);
  return value;
}

function selectionFromForm(form: JsonObject, path: SelectionPath): SelectionForm {
  const source = objectOf(at(form, path));
  return { all: checked(getOwn(source, 'all')), list: text(getOwn(source, 'list')), add: text(getOwn(source, 'add')) };
}

function clauseFromForm(value: unknown): ClauseForm {
  const clause = objectOf(value);
  return {
    scope: text(getOwn(clause, 'scope')),
    property: text(getOwn(clause, 'property')),
    op: text(getOwn(clause, 'op')),
    values: text(getOwn(clause, 'values')),
  };
}

/** The editor's state from a posted form: lenient, every missing part empty (validation says what is wrong on save). */
export function parseForm(body: unknown): SyncFormState {
  const form = objectOf(body);
  const rows = listOf(at(form, 'send_events.events')).map((value) => {
    const row = objectOf(value);
    return { event_type: text(getOwn(row, 'event_type')), where: listOf(getOwn(row, 'where')).map(clauseFromForm) };
  });
  return {
    name: text(getOwn(form, 'name')),
    project_id: text(getOwn(form, 'project_id')),
    enabled: checked(getOwn(form, 'enabled')),
    customerio: {
      site_id: text(at(form, 'customerio.site_id')),
      api_key: text(at(form, 'customerio.api_key')),
      region: text(at(form, 'customerio.region')),
    },
    identifier: { choice: text(at(form, 'identifier.choice')), name: text(at(form, 'identifier.name')) },
    send_events: {
      enabled: checked(at(form, 'send_events.enabled')),
      events: rows,
      properties: {
        event: selectionFromForm(form, 'send_events.properties.event'),
        user: selectionFromForm(form, 'send_events.properties.user'),
      },
      anonymous: checked(at(form, 'send_events.anonymous')),
    },
    send_users: { enabled: checked(at(form, 'send_users.enabled')), properties: selectionFromForm(form, 'send_users.properties') },
    options: { convert_dates: checked(at(form, 'options.convert_dates')), stringify_values: checked(at(form, 'options.stringify_values')) },
  };
}

// ---------------------------------------------------------------------------------------------
// The state → the admin API's input

/** A single-line name as typed; only a blank one becomes empty (so validation says it is required). */
function exact(value: string): string {
  return value.trim() === '' ? '' : value;
}

function selectionInput(selection: SelectionForm): PropertySelection {
  if (selection.all) return ALL_PROPERTIES;
  const names = parseNames(selection.list);
  const added = exact(selection.add);
  return added === '' || names.includes(added) ? names : [...names, added];
}

function identifierInput(identifier: IdentifierForm): unknown {
  if (identifier.choice === IDENTIFIER_USER_ID) return { from: 'user_id' };
  if (identifier.choice.startsWith(IDENTIFIER_PROPERTY_PREFIX)) {
    return { from: 'user_property', name: identifier.choice.slice(IDENTIFIER_PROPERTY_PREFIX.length) };
  }
  if (identifier.choice === IDENTIFIER_OTHER) return { from: 'user_property', name: exact(identifier.name) };
  return { from: identifier.choice };
}

/**
 * A clause's values. When editing, values the sync already has at this place are kept as stored
 * (a number stays a number under `is`) if their text is unchanged: text and stored values then
 * compare the same way, so nothing changes that the person did not change.
 */
function clauseValues(clause: ClauseForm, stored: WhereClause | undefined): ClauseValue[] {
  const values = parseValues(clause.values, clause.op);
  return stored !== undefined && formatValues(stored.values) === formatValues(values) ? stored.values : values;
}

/**
 * The admin API's sync input from the editor's state. `create` carries the project; `edit` leaves
 * it out (a sync stays in its project) and is meant for `SyncService.update(id, input, 'replace')`.
 * An empty API key is left out: on edit the stored key is kept (for the same Site ID), on create
 * validation says it is required. `stored` is the sync being edited (its clause values; see above).
 */
export function stateToSyncInput(state: SyncFormState, mode: FormMode, stored?: SyncView): JsonObject {
  const apiKey = state.customerio.api_key.trim();
  return {
    name: state.name,
    ...(mode === 'create' ? { project_id: state.project_id.trim() } : {}),
    enabled: state.enabled,
    customerio: { site_id: state.customerio.site_id.trim(), ...(apiKey === '' ? {} : { api_key: apiKey }), region: state.customerio.region },
    identifier: identifierInput(state.identifier),
    send_events: {
      enabled: state.send_events.enabled,
      events: state.send_events.events.map((row, rowIndex) => ({
        event_type: exact(row.event_type),
        where: row.where.map((clause, clauseIndex) => ({
          scope: clause.scope,
          property: exact(clause.property),
          op: clause.op,
          values: clauseValues(clause, stored?.send_events.events[rowIndex]?.where[clauseIndex]),
        })),
      })),
      properties: { event: selectionInput(state.send_events.properties.event), user: selectionInput(state.send_events.properties.user) },
      anonymous: state.send_events.anonymous,
    },
    send_users: { enabled: state.send_users.enabled, properties: selectionInput(state.send_users.properties) },
    options: { convert_dates: state.options.convert_dates, stringify_values: state.options.stringify_values },
  };
}

/** The posted form straight to the admin API's input (`parseForm` then `stateToSyncInput`). */
export function formToSyncInput(form: unknown, mode: FormMode, stored?: SyncView): JsonObject {
  return stateToSyncInput(parseForm(form), mode, stored);
}

// ---------------------------------------------------------------------------------------------
// A sync → the state

function selectionState(selection: PropertySelection): SelectionForm {
  return selection === ALL_PROPERTIES ? { all: true, list: '', add: '' } : { all: false, list: formatNames(selection), add: '' };
}

/**
 * The editor's state for a sync as the API shows it (never with its key). A user-property
 * identifier is picked from `seenUserProperties` when it is one of them, else typed as "other".
 */
export function syncToFormState(view: SyncView, seenUserProperties: readonly string[] = []): SyncFormState {
  const identifier: IdentifierForm =
    view.identifier.from === 'user_id'
      ? { choice: IDENTIFIER_USER_ID, name: '' }
      : seenUserProperties.includes(view.identifier.name)
        ? { choice: identifierChoiceFor(view.identifier.name), name: '' }
        : { choice: IDENTIFIER_OTHER, name: view.identifier.name };
  return {
    name: view.name,
    project_id: String(view.project_id),
    enabled: view.enabled,
    customerio: { site_id: view.customerio.site_id, api_key: '', region: view.customerio.region },
    identifier,
    send_events: {
      enabled: view.send_events.enabled,
      events: view.send_events.events.map((row) => ({
        event_type: row.event_type,
        where: row.where.map((clause) => ({ scope: clause.scope, property: clause.property, op: clause.op, values: formatValues(clause.values) })),
      })),
      properties: { event: selectionState(view.send_events.properties.event), user: selectionState(view.send_events.properties.user) },
      anonymous: view.send_events.anonymous,
    },
    send_users: { enabled: view.send_users.enabled, properties: selectionState(view.send_users.properties) },
    options: { ...view.options },
  };
}

/** The form of a new sync: the config's defaults (from the schema), nothing typed yet. */
export function newSyncFormState(projectId: number | undefined): SyncFormState {
  const defaults = validateSyncInput({ name: '-', project_id: 1, customerio: { site_id: '-', api_key: '-' } }, 'create');
  const state = syncToFormState(redactSync(defaults));
  return { ...state, name: '', project_id: projectId === undefined ? '' : String(projectId), customerio: { ...state.customerio, site_id: '' } };
}

/** The state with the selected user property kept when the catalog of seen names changes (another project picked). */
export function withSeenUserProperties(identifier: IdentifierForm, seenUserProperties: readonly string[]): IdentifierForm {
  if (!identifier.choice.startsWith(IDENTIFIER_PROPERTY_PREFIX)) return identifier;
  const name = identifier.choice.slice(IDENTIFIER_PROPERTY_PREFIX.length);
  return seenUserProperties.includes(name) ? identifier : { choice: IDENTIFIER_OTHER, name };
}

// ---------------------------------------------------------------------------------------------
// The editor's buttons

export type EditorAction =
  | { kind: 'save' }
  | { kind: 'test-connection' }
  | { kind: 'refresh' }
  | { kind: 'add-row' }
  | { kind: 'remove-row'; row: number }
  | { kind: 'add-clause'; row: number }
  | { kind: 'remove-clause'; row: number; clause: number }
  | { kind: 'add-property'; selection: SelectionPath };

/** The posted `action` (the button pressed). Nothing posted is Save (Enter in a field); anything unknown only re-shows the form. */
export function parseAction(value: unknown): EditorAction {
  const action = text(value);
  if (action === '' || action === 'save') return { kind: 'save' };
  if (action === 'test-connection' || action === 'add-row' || action === 'refresh') return { kind: action };
  let match = /^(remove-row|add-clause):([0-9]{1,4})$/.exec(action);
  if (match !== null) return { kind: match[1] as 'remove-row' | 'add-clause', row: Number(match[2]) };
  match = /^remove-clause:([0-9]{1,4}):([0-9]{1,4})$/.exec(action);
  if (match !== null) return { kind: 'remove-clause', row: Number(match[1]), clause: Number(match[2]) };
  const selection = /^add-property:(.+)$/.exec(action)?.[1];
  if (selection !== undefined && (SELECTION_PATHS as readonly string[]).includes(selection)) return { kind: 'add-property', selection: selection as SelectionPath };
  return { kind: 'refresh' };
}

/** The `action` value of a button. */
export function actionValue(action: EditorAction): string {
  switch (action.kind) {
    case 'remove-row':
    case 'add-clause':
      return `${action.kind}:${action.row}`;
    case 'remove-clause':
      return `remove-clause:${action.row}:${action.clause}`;
    case 'add-property':
      return `add-property:${action.selection}`;
    default:
      return action.kind;
  }
}

/** The id of a row's "Add condition" button (focused when its last condition is removed). */
export function addClauseButtonId(row: number): string {
  return `add-clause-${row}`;
}

const NEW_CLAUSE: ClauseForm = { scope: 'event', property: '', op: 'is', values: '' };

/** The selection at a path of the state (the object itself: changing it changes the state). */
export function selectionAt(state: SyncFormState, path: SelectionPath): SelectionForm {
  if (path === 'send_users.properties') return state.send_users.properties;
  return path === 'send_events.properties.event' ? state.send_events.properties.event : state.send_events.properties.user;
}

/**
 * What a row button does to the state (nothing is saved), and the id of the control that gets
 * the focus next: the new row's event type, the new condition's scope, the picker after adding a
 * property. Buttons past the limits, or removing the only row, change nothing.
 */
export function applyAction(state: SyncFormState, action: EditorAction): { state: SyncFormState; focus?: string } {
  const next = structuredClone(state);
  const rows = next.send_events.events;
  switch (action.kind) {
    case 'add-row':
      if (rows.length >= SYNC_LIMITS.rows) return { state: next };
      rows.push({ event_type: '', where: [] });
      return { state: next, focus: fieldId(`send_events.events.${rows.length - 1}.event_type`) };
    case 'remove-row': {
      if (rows.length <= 1 || action.row >= rows.length) return { state: next };
      rows.splice(action.row, 1);
      return { state: next, focus: fieldId(`send_events.events.${Math.min(action.row, rows.length - 1)}.event_type`) };
    }
    case 'add-clause': {
      const where = rows[action.row]?.where;
      if (where === undefined || where.length >= SYNC_LIMITS.clausesPerRow) return { state: next };
      where.push({ ...NEW_CLAUSE });
      return { state: next, focus: fieldId(`send_events.events.${action.row}.where.${where.length - 1}.scope`) };
    }
    case 'remove-clause': {
      const where = rows[action.row]?.where;
      if (where === undefined || action.clause >= where.length) return { state: next };
      where.splice(action.clause, 1);
      const focus = where.length === 0 ? addClauseButtonId(action.row) : fieldId(`send_events.events.${action.row}.where.${Math.min(action.clause, where.length - 1)}.scope`);
      return { state: next, focus };
    }
    case 'add-property': {
      const selection = selectionAt(next, action.selection);
      const added = exact(selection.add);
      const names = parseNames(selection.list);
      if (added !== '' && !names.includes(added)) selection.list = formatNames([...names, added]);
      selection.add = '';
      if (added !== '') selection.all = false;
      return { state: next, focus: fieldId(`${action.selection}.add`) };
    }
    default:
      return { state: next };
  }
}

// ---------------------------------------------------------------------------------------------
// Where a save's error is shown

/** Every path the editor shows an error at: its controls, and the groups (rows, conditions) around them. */
export function errorAnchors(state: SyncFormState): Set<string> {
  const anchors = new Set([
    'name',
    'project_id',
    'enabled',
    'customerio.site_id',
    'customerio.api_key',
    'customerio.region',
    'identifier.choice',
    'identifier.name',
    'send_events.enabled',
    'send_events.events',
    'send_events.anonymous',
    'send_users.enabled',
    'options.convert_dates',
    'options.stringify_values',
    ...SELECTION_PATHS,
  ]);
  state.send_events.events.forEach((row, rowIndex) => {
    const rowPath = `send_events.events.${rowIndex}`;
    for (const part of ['', '.event_type', '.where']) anchors.add(`${rowPath}${part}`);
    row.where.forEach((_clause, clauseIndex) => {
      const clausePath = `${rowPath}.where.${clauseIndex}`;
      for (const part of ['', '.scope', '.property', '.op', '.values']) anchors.add(`${clausePath}${part}`);
    });
  });
  return anchors;
}

/** Config paths that are not a control of their own, and the control that stands for them. */
const ANCHOR_ALIASES: Readonly<Record<string, string>> = {
  identifier: 'identifier.choice',
  'identifier.from': 'identifier.choice',
  customerio: 'customerio.site_id',
  'customerio.api_key_set': 'customerio.api_key',
  send_events: 'send_events.enabled',
  send_users: 'send_users.enabled',
  'send_events.properties': 'send_events.properties.event',
  options: 'options.convert_dates',
};

/** The path whose control (or group) shows an error about `field`: itself, or its nearest ancestor the editor shows. */
export function errorAnchor(field: string | undefined, state: SyncFormState): string | undefined {
  if (field === undefined) return undefined;
  const anchors = errorAnchors(state);
  if (field === 'identifier.name' && state.identifier.choice !== IDENTIFIER_OTHER) return 'identifier.choice';
  for (let path = field; path !== ''; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
    if (anchors.has(path)) return path;
    const alias = ANCHOR_ALIASES[path];
    if (alias !== undefined) return alias;
  }
  return undefined;
}

const SIMPLE_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  project_id: 'Project',
  enabled: 'Status',
  'customerio.site_id': 'Site ID',
  'customerio.api_key': 'API key',
  'customerio.region': 'Region',
  'identifier.choice': 'Customer.io identifier',
  'identifier.name': 'Customer.io identifier: user property',
  'send_events.enabled': 'Send events',
  'send_events.events': 'Event selection',
  'send_events.anonymous': 'Anonymous events',
  'send_events.properties.event': 'Additional event properties',
  'send_events.properties.user': 'Additional user properties',
  'send_users.enabled': 'Send users',
  'send_users.properties': 'User properties to send',
  'options.convert_dates': 'Convert dates',
  'options.stringify_values': 'Send values as text',
};

const CLAUSE_PART_LABELS: Readonly<Record<string, string>> = {
  event_type: 'event type',
  where: 'conditions',
  scope: 'scope',
  property: 'property',
  op: 'operator',
  values: 'values',
};

/** Row letters as Amplitude shows them: A … Z, then AA, AB … */
export function rowLetter(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${rowLetter(Math.floor(index / 26) - 1)}${letter}`;
}

/** An anchor's name for people: `Row B, condition 2: values`. */
export function anchorLabel(anchor: string): string {
  const simple = SIMPLE_LABELS[anchor];
  if (simple !== undefined) return simple;
  const match = /^send_events\.events\.([0-9]+)(?:\.(event_type|where))?(?:\.([0-9]+))?(?:\.(scope|property|op|values))?$/.exec(anchor);
  if (match === null) return anchor;
  const [, row, rowPart, clause, clausePart] = match;
  let label = `Row ${rowLetter(Number(row))}`;
  if (clause !== undefined) label += `, condition ${Number(clause) + 1}`;
  const part = clausePart ?? (clause === undefined ? rowPart : undefined);
  return part === undefined ? label : `${label}: ${CLAUSE_PART_LABELS[part]}`;
}

/** ajv's wording, where plainer words say the same. */
const PLAIN_MESSAGES: readonly [RegExp, string][] = [
  [/^must NOT have fewer than 1 characters$/, 'required'],
  [/^must NOT have fewer than 1 items$/, 'give at least one'],
  [/^must match pattern "\^\\S\+\$"$/, 'must not contain spaces'],
  [/^required when customerio\.site_id changes/, 'required when the Site ID changes (a Track API key belongs to one site)'],
];

export interface ShownError {
  /** The path whose control shows the error (undefined: only the summary at the top does). */
  anchor: string | undefined;
  /** What the summary calls that control. */
  label: string | undefined;
  message: string;
}

/** Where and how to show the error of a failed save (`AmpstreamError` field and message). */
export function shownError(error: { field?: string | undefined; message: string }, state: SyncFormState): ShownError {
  const prefix = error.field === undefined ? undefined : `${error.field}: `;
  const detail = prefix !== undefined && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const plain = PLAIN_MESSAGES.find(([pattern]) => pattern.test(detail))?.[1] ?? detail;
  const anchor = errorAnchor(error.field, state);
  return { anchor, label: anchor === undefined ? undefined : anchorLabel(anchor), message: plain };
}
