import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { getOwn, isPlainObject } from '../../amplitude/plain-data.js';
import { workspaceOf } from '../../engine/delivery/delivery-engine.js';
import { syncDetails, type CredentialTest, type SyncState } from '../../engine/sync-service.js';
import { AmpstreamError, isAmpstreamError } from '../../errors.js';
import type { SyncRecord } from '../../store/delivery-types.js';
import type { Project } from '../../store/types.js';
import { FILTER_FIELDS } from '../../sync/event-filter.js';
import { ALL_EVENTS, NONE_VALUE, SYNC_LIMITS, SYNC_OPERATORS } from '../../sync/sync-schema.js';
import { Badge, Field, describedBy, fieldId } from '../components.js';
import { formatTime } from '../format.js';
import { redirectAfterPost, sendFragment, sendPage } from '../html.js';
import { CsrfField, Layout, Notice, type PageContext } from '../layout.js';
import { SyncStatus } from '../sync-status.js';
import {
  IDENTIFIER_OTHER,
  IDENTIFIER_USER_ID,
  actionValue,
  addClauseButtonId,
  applyAction,
  formName,
  identifierChoiceFor,
  newSyncFormState,
  parseAction,
  parseForm,
  rowLetter,
  selectionAt,
  shownError,
  stateToSyncInput,
  syncToFormState,
  withSeenUserProperties,
  type ClauseForm,
  type EditorAction,
  type FormMode,
  type IdentifierForm,
  type SelectionPath,
  type ShownError,
  type SyncFormState,
} from '../sync-form.js';
import { isHtmx, pageContext, type SeenNames, type UiDependencies } from '../ui-context.js';

/**
 * The sync editor, in the order of Amplitude's Customer.io destination page: status and Save at
 * the top, name, credentials with Test connection, mapping, Send Events (event rows with their
 * where-conditions, additional properties, anonymous events), Send Users, options.
 *
 * Plain forms first: every button works without JavaScript (the row buttons then post the whole
 * form, which is shown again unsaved). With htmx, the row buttons swap only their part of the
 * form, so nothing typed is lost, not even the API key, which a page never holds.
 */

/** Where the row buttons post (htmx): the part they change comes back, nothing is saved. */
const ROWS_URL = '/ui/syncs/editor/rows';
/** Where the project picker asks for the names seen in the chosen project (htmx). */
const CATALOG_URL = '/ui/syncs/editor/catalog';
const EVENTS_EDITOR_ID = fieldId('send_events.events');
/** Suggestions per list: the pickers take any name typed, the lists only help. */
const CATALOG_LIST_LIMIT = 2000;
const CREDENTIAL = new RegExp(`^\\S{1,${SYNC_LIMITS.credentialLength}}$`);

const LIST_IDS = { eventTypes: 'list-event-types', eventProperties: 'list-event-properties', userProperties: 'list-user-properties', fields: 'list-fields' };
const EMPTY_CATALOG: SeenNames = { eventTypes: [], eventProperties: [], userProperties: [] };

const SCOPES: readonly [string, string][] = [
  ['event', 'Event property'],
  ['user', 'User property'],
  ['field', 'Event field'],
];
const SCOPE_LISTS: Readonly<Record<string, string>> = { event: LIST_IDS.eventProperties, user: LIST_IDS.userProperties, field: LIST_IDS.fields };
const OPERATORS: readonly [string, string][] = SYNC_OPERATORS.map((op) => [op, op]);
const REGIONS: readonly [string, string][] = [
  ['us', 'US'],
  ['eu', 'EU'],
];

interface SelectionSpec {
  legend: string;
  allLabel: string;
  list: string;
  hint: string;
}

const SELECTIONS: Readonly<Record<SelectionPath, SelectionSpec>> = {
  'send_events.properties.event': {
    legend: 'Additional event properties',
    allLabel: 'All event properties',
    list: LIST_IDS.eventProperties,
    hint: 'Sent as the event’s data. On a name clash with a user property, the event property wins.',
  },
  'send_events.properties.user': {
    legend: 'Additional user properties',
    allLabel: 'All user properties',
    list: LIST_IDS.userProperties,
    hint: 'The user’s properties after the event, added to the event’s data.',
  },
  'send_users.properties': {
    legend: 'User properties to send',
    allLabel: 'All user properties',
    list: LIST_IDS.userProperties,
    hint: 'Sent as person attributes when one of them changes.',
  },
};

/** What a page or fragment of the editor shows besides the values: the last save's error, where the focus goes. */
interface EditorView {
  error?: ShownError | undefined;
  focus?: string | undefined;
}

function errorAt(view: EditorView, path: string): string | undefined {
  return view.error?.anchor === path ? view.error.message : undefined;
}

// ---------------------------------------------------------------------------------------------
// Controls

interface ControlProps {
  path: string;
  label: string;
  view: EditorView;
  hint?: ComponentChildren;
}

/** aria-describedby of a control: its hint and error, and any shared note. */
function described(path: string, hasHint: boolean, error: string | undefined, shared?: string): string | undefined {
  const ids = [shared, describedBy(path, hasHint, error)].filter((id) => id !== undefined);
  return ids.length === 0 ? undefined : ids.join(' ');
}

function TextField({
  path,
  label,
  view,
  hint,
  value,
  list,
  required,
  maxLength,
  secret,
  placeholder,
  enterPresses,
}: ControlProps & {
  value: string;
  list?: string;
  required?: boolean;
  maxLength?: number;
  secret?: boolean;
  placeholder?: string;
  /** The id of the button Enter in this field presses (ui.js), instead of submitting the form (Save). */
  enterPresses?: string;
}) {
  const error = errorAt(view, path);
  const id = fieldId(path);
  return (
    <Field path={path} label={label} hint={hint} error={error}>
      <input
        id={id}
        name={formName(path)}
        type="text"
        value={value}
        list={list}
        required={required}
        maxLength={maxLength ?? SYNC_LIMITS.textLength}
        placeholder={placeholder}
        autocomplete="off"
        spellcheck={secret === true ? false : undefined}
        autocapitalize={secret === true ? 'off' : undefined}
        class={secret === true ? 'mono' : undefined}
        data-enter-presses={enterPresses}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described(path, hint !== undefined, error)}
        autoFocus={view.focus === id}
      />
    </Field>
  );
}

function TextAreaField({ path, label, view, hint, value, name, shared }: ControlProps & { value: string; name?: string; shared?: string }) {
  const error = errorAt(view, path);
  const id = fieldId(path);
  return (
    <Field path={path} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={name ?? formName(path)}
        rows={3}
        value={value}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described(path, hint !== undefined, error, shared)}
        autoFocus={view.focus === id}
      />
    </Field>
  );
}

/** htmx attributes that re-render the event rows when a control changes (the scope picks the property list). */
const REFRESH_EVENTS = {
  'hx-post': ROWS_URL,
  'hx-trigger': 'change',
  'hx-target': `#${EVENTS_EDITOR_ID}`,
  'hx-swap': 'outerHTML',
  'hx-vals': JSON.stringify({ action: 'refresh' }),
};

function SelectField({
  path,
  label,
  view,
  hint,
  value,
  options,
  refreshEvents,
}: ControlProps & { value: string; options: readonly [string, string][]; refreshEvents?: boolean }) {
  const error = errorAt(view, path);
  const id = fieldId(path);
  return (
    <Field path={path} label={label} hint={hint} error={error}>
      <select
        id={id}
        name={formName(path)}
        value={value}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described(path, hint !== undefined, error)}
        autoFocus={view.focus === id}
        {...(refreshEvents === true ? REFRESH_EVENTS : {})}
      >
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A checkbox in a `Field` (the editor's CSS puts the box before its label). */
function CheckField({ path, label, view, hint, checked, isSwitch }: ControlProps & { checked: boolean; isSwitch?: boolean }) {
  const error = errorAt(view, path);
  const id = fieldId(path);
  return (
    <Field path={path} label={label} hint={hint} error={error}>
      <input
        type="checkbox"
        id={id}
        name={formName(path)}
        checked={checked}
        role={isSwitch === true ? 'switch' : undefined}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described(path, hint !== undefined, error)}
        autoFocus={view.focus === id}
      />
    </Field>
  );
}

/** A group's own error (too many rows, conditions of a row): shown at the top of the group. */
function GroupError({ path, view }: { path: string; view: EditorView }) {
  const error = errorAt(view, path);
  return error === undefined ? null : (
    <p class="field-error" id={`${fieldId(path)}-error`} role="alert">
      {error}
    </p>
  );
}

/**
 * A button that changes the form without saving it: with htmx it posts the form to ROWS_URL and
 * swaps `target`; without, it submits the form, which comes back with the change, unsaved.
 */
function FormButton({
  action,
  target,
  view,
  id,
  ariaLabel,
  danger,
  children,
}: {
  action: EditorAction;
  target: string;
  view: EditorView;
  id?: string;
  ariaLabel?: string;
  danger?: boolean;
  children: ComponentChildren;
}) {
  return (
    <button
      type="submit"
      name="action"
      value={actionValue(action)}
      formNoValidate
      class={danger === true ? 'btn btn-small btn-danger' : 'btn btn-small'}
      id={id}
      aria-label={ariaLabel}
      autoFocus={id !== undefined && view.focus === id}
      hx-post={ROWS_URL}
      hx-target={target}
      hx-swap="outerHTML"
    >
      {children}
    </button>
  );
}

// ---------------------------------------------------------------------------------------------
// Send events: rows and their conditions

function ClauseEditor({ clause, row, index, view }: { clause: ClauseForm; row: number; index: number; view: EditorView }) {
  const path = `send_events.events.${row}.where.${index}`;
  const letter = rowLetter(row);
  return (
    <fieldset class="clause" id={fieldId(path)}>
      <legend>{index === 0 ? `Where (condition 1)` : `And where (condition ${index + 1})`}</legend>
      <GroupError path={path} view={view} />
      <div class="inline-fields">
        <SelectField path={`${path}.scope`} label="Scope" view={view} value={clause.scope} options={SCOPES} refreshEvents />
        <TextField path={`${path}.property`} label="Property" view={view} value={clause.property} list={SCOPE_LISTS[clause.scope]} required />
        <SelectField path={`${path}.op`} label="Operator" view={view} value={clause.op} options={OPERATORS} />
        <TextAreaField path={`${path}.values`} label="Values" view={view} value={clause.values} shared="values-rule" />
      </div>
      <FormButton action={{ kind: 'remove-clause', row, clause: index }} target={`#${EVENTS_EDITOR_ID}`} view={view} ariaLabel={`Remove condition ${index + 1} of row ${letter}`}>
        Remove condition
      </FormButton>
    </fieldset>
  );
}

function EventRowEditor({ state, row, view }: { state: SyncFormState; row: number; view: EditorView }) {
  const rows = state.send_events.events;
  const { event_type: eventType, where } = rows[row] as SyncFormState['send_events']['events'][number];
  const path = `send_events.events.${row}`;
  const letter = rowLetter(row);
  return (
    <fieldset class="row-editor" id={fieldId(path)}>
      <legend>Row {letter}</legend>
      <GroupError path={path} view={view} />
      <TextField
        path={`${path}.event_type`}
        label="Event type"
        view={view}
        value={eventType}
        list={LIST_IDS.eventTypes}
        required
        hint={`Pick one or type it exactly; ${ALL_EVENTS} means All Events.`}
      />
      <div class="clauses" id={fieldId(`${path}.where`)}>
        <GroupError path={`${path}.where`} view={view} />
        {where.map((clause, index) => (
          <ClauseEditor key={index} clause={clause} row={row} index={index} view={view} />
        ))}
      </div>
      <div class="actions">
        {where.length < SYNC_LIMITS.clausesPerRow && (
          <FormButton action={{ kind: 'add-clause', row }} target={`#${EVENTS_EDITOR_ID}`} view={view} id={addClauseButtonId(row)} ariaLabel={`Add condition to row ${letter}`}>
            Add condition
          </FormButton>
        )}
        {rows.length > 1 && (
          <FormButton action={{ kind: 'remove-row', row }} target={`#${EVENTS_EDITOR_ID}`} view={view} danger>
            Remove row {letter}
          </FormButton>
        )}
      </div>
    </fieldset>
  );
}

/** The event rows: the part the row buttons swap. */
function EventsEditor({ state, view }: { state: SyncFormState; view: EditorView }) {
  const rows = state.send_events.events;
  return (
    <fieldset class="events-editor" id={EVENTS_EDITOR_ID}>
      <legend>Select and filter events</legend>
      <p class="hint">An event is sent when it matches any row; a row matches when all its conditions hold.</p>
      <p class="hint" id="values-rule">
        Values: one per line, or separated by commas. Put a value in double quotes to keep its commas, spaces or quotes (
        <code>"Hello, world"</code>). <em>less</em>, <em>less or equal</em>, <em>greater</em> and <em>greater or equal</em> take exactly one
        number; the other operators take text (text that is a number still compares as a number). <code>{NONE_VALUE}</code> matches no value,
        with <em>is</em>, <em>is not</em>, <em>set is</em> and <em>set is not</em>.
      </p>
      <GroupError path="send_events.events" view={view} />
      {rows.map((_row, index) => (
        <EventRowEditor key={index} state={state} row={index} view={view} />
      ))}
      {rows.length < SYNC_LIMITS.rows && (
        <FormButton action={{ kind: 'add-row' }} target={`#${EVENTS_EDITOR_ID}`} view={view} id="add-row">
          Add a row
        </FormButton>
      )}
    </fieldset>
  );
}

/** A property selection: all, or a list, with a picker of the names seen. The part its Add button swaps. */
function SelectionEditor({ state, path, view }: { state: SyncFormState; path: SelectionPath; view: EditorView }) {
  const spec = SELECTIONS[path];
  const selection = selectionAt(state, path);
  const groupId = `${fieldId(path)}-group`;
  const addId = `${fieldId(path)}-add-button`;
  return (
    <fieldset class="selection" id={groupId}>
      <legend>{spec.legend}</legend>
      <p class="hint">{spec.hint}</p>
      <CheckField path={`${path}.all`} label={spec.allLabel} view={view} checked={selection.all} />
      <TextAreaField
        path={path}
        name={formName(`${path}.list`)}
        label="Or only these, one per line"
        view={view}
        value={selection.list}
        hint="Used when the box above is off; empty means none. Exact names; a name in double quotes keeps its spaces."
      />
      <div class="picker">
        <TextField path={`${path}.add`} label="Pick a property" view={view} value={selection.add} list={spec.list} enterPresses={addId} />
        <FormButton action={{ kind: 'add-property', selection: path }} target={`#${groupId}`} view={view} id={addId} ariaLabel={`Add to ${spec.legend}`}>
          Add
        </FormButton>
      </div>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------------
// Credentials, mapping, the catalog

/** Test connection's answer, in words. */
function TestResult({ outcome }: { outcome: CredentialTest }) {
  if (outcome.ok) return <Notice kind="ok">Customer.io accepted these credentials ({outcome.region.toUpperCase()} region).</Notice>;
  const explanation: Record<string, string> = {
    credentials_rejected: 'Customer.io refused this Site ID and API key: check both (the Track API credentials of the workspace).',
    wrong_region: 'Wrong region:',
    rate_limited: 'Not checked:',
    input: 'Not checked:',
  };
  return (
    <Notice kind="error">
      {explanation[outcome.problem] ?? 'Not checked: Customer.io could not be asked.'} {outcome.message}
    </Notice>
  );
}

function ApiKeyField({ view, keyStored, keyDropped }: { view: EditorView; keyStored: boolean; keyDropped: boolean }) {
  const hint = keyStored ? (
    <>
      <Badge tone="ok">Set</Badge> A key is stored; it is never shown. Leave this empty to keep it, or type a new key to replace it.
      {keyDropped && ' The new key you typed was not saved: type it again to replace the stored one.'}
    </>
  ) : keyDropped ? (
    'Not saved yet, and a page never holds a key: enter it again.'
  ) : (
    'The Track API key paired with the Site ID. Once saved it is never shown again.'
  );
  return (
    <TextField
      path="customerio.api_key"
      label="API key"
      view={view}
      value=""
      hint={hint}
      required={!keyStored}
      maxLength={SYNC_LIMITS.credentialLength}
      placeholder={keyStored ? 'set; type a new key to replace it' : undefined}
      secret
    />
  );
}

function Credentials({ state, view, keyStored, keyDropped, testUrl, test }: { state: SyncFormState; view: EditorView; keyStored: boolean; keyDropped: boolean; testUrl: string; test?: CredentialTest | undefined }) {
  return (
    <fieldset class="stack">
      <legend>Customer.io credentials</legend>
      <TextField
        path="customerio.site_id"
        label="Site ID"
        view={view}
        value={state.customerio.site_id}
        required
        maxLength={SYNC_LIMITS.credentialLength}
        hint="In Customer.io: Settings, Workspace Settings, API and webhook credentials, Track API keys."
        secret
      />
      <ApiKeyField view={view} keyStored={keyStored} keyDropped={keyDropped} />
      <SelectField path="customerio.region" label="Account region" view={view} value={state.customerio.region} options={REGIONS} />
      <div class="actions">
        <button type="submit" name="action" value="test-connection" formNoValidate class="btn" hx-post={testUrl} hx-target="#test-result" hx-swap="innerHTML">
          <span class="when-idle">Test connection</span>
          <span class="when-busy">Testing…</span>
        </button>
      </div>
      <div id="test-result" class="test-result">
        {test !== undefined && <TestResult outcome={test} />}
      </div>
    </fieldset>
  );
}

function identifierOptions(userProperties: readonly string[]): [string, string][] {
  return [
    [IDENTIFIER_USER_ID, 'User ID'],
    ...userProperties.map((name): [string, string] => [identifierChoiceFor(name), `User property: ${name}`]),
    [IDENTIFIER_OTHER, 'Another user property (type its name below)'],
  ];
}

/** The identifier's two controls; `oob` when the catalog answer replaces them for another project. */
function IdentifierSelect({ identifier, userProperties, view, oob }: { identifier: IdentifierForm; userProperties: readonly string[]; view: EditorView; oob?: boolean }) {
  const error = errorAt(view, 'identifier.choice');
  return (
    <select
      id={fieldId('identifier.choice')}
      name={formName('identifier.choice')}
      value={identifier.choice}
      aria-invalid={error === undefined ? undefined : 'true'}
      aria-describedby={described('identifier.choice', true, error)}
      hx-swap-oob={oob === true ? 'true' : undefined}
    >
      {identifierOptions(userProperties).map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}

function IdentifierName({ identifier, view, oob }: { identifier: IdentifierForm; view: EditorView; oob?: boolean }) {
  const error = errorAt(view, 'identifier.name');
  return (
    <input
      id={fieldId('identifier.name')}
      name={formName('identifier.name')}
      type="text"
      value={identifier.name}
      list={LIST_IDS.userProperties}
      maxLength={SYNC_LIMITS.textLength}
      autocomplete="off"
      aria-invalid={error === undefined ? undefined : 'true'}
      aria-describedby={described('identifier.name', true, error)}
      hx-swap-oob={oob === true ? 'true' : undefined}
    />
  );
}

function Mapping({ state, view, userProperties }: { state: SyncFormState; view: EditorView; userProperties: readonly string[] }) {
  return (
    <fieldset class="stack">
      <legend>Mapping</legend>
      <Field
        path="identifier.choice"
        label="Amplitude value used as the Customer.io identifier"
        error={errorAt(view, 'identifier.choice')}
        hint={
          <>
            Customer.io finds the person by this value. An email address (<code>ann@example.com</code>) addresses the person by email; a value
            starting with <code>cio_</code> is Customer.io’s own cio_id (sent as it is: the prefix is never added); anything else is the
            person’s id. At most 150 bytes. An event without a value has no identifier (see anonymous events).
          </>
        }
      >
        <IdentifierSelect identifier={state.identifier} userProperties={userProperties} view={view} />
      </Field>
      <Field path="identifier.name" label="Another user property" error={errorAt(view, 'identifier.name')} hint="Used when “Another user property” is chosen above.">
        <IdentifierName identifier={state.identifier} view={view} />
      </Field>
    </fieldset>
  );
}

function DataList({ id, names, allEvents }: { id: string; names: readonly string[]; allEvents?: boolean }) {
  return (
    <datalist id={id}>
      {allEvents === true && <option value={ALL_EVENTS}>All Events</option>}
      {names.slice(0, CATALOG_LIST_LIMIT).map((name) => (
        <option key={name} value={name} />
      ))}
    </datalist>
  );
}

/** The names seen at ingest in the sync's project, for the pickers (`<input list>`). */
function CatalogLists({ catalog }: { catalog: SeenNames }) {
  return (
    <div id="editor-catalog">
      <DataList id={LIST_IDS.eventTypes} names={catalog.eventTypes} allEvents />
      <DataList id={LIST_IDS.eventProperties} names={catalog.eventProperties} />
      <DataList id={LIST_IDS.userProperties} names={catalog.userProperties} />
      <DataList id={LIST_IDS.fields} names={FILTER_FIELDS} />
    </div>
  );
}

function ProjectPicker({ state, view, projects }: { state: SyncFormState; view: EditorView; projects: Project[] }) {
  const error = errorAt(view, 'project_id');
  const chosen = projects.some((project) => String(project.id) === state.project_id);
  return (
    <Field path="project_id" label="Project" error={error} hint="The project whose events this sync sends. It cannot change after the sync is created.">
      <select
        id={fieldId('project_id')}
        name="project_id"
        value={state.project_id}
        required
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described('project_id', true, error)}
        hx-get={CATALOG_URL}
        hx-trigger="change"
        hx-target="#editor-catalog"
        hx-swap="outerHTML"
        hx-include={`#${fieldId('identifier.choice')}, #${fieldId('identifier.name')}`}
      >
        {!chosen && <option value="">Choose a project</option>}
        {projects.map((project) => (
          <option key={project.id} value={String(project.id)}>
            {project.name} (#{project.id})
          </option>
        ))}
      </select>
    </Field>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

interface EditorPageProps {
  context: PageContext;
  mode: FormMode;
  /** The sync being edited (its id, stored name, project and status); undefined when creating. */
  sync?: { id: number; name: string; status: SyncState } | undefined;
  state: SyncFormState;
  projects: Project[];
  catalog: SeenNames;
  view: EditorView;
  /** Whether a key was typed in this post: it is not shown again, and the hint says so. */
  keyDropped: boolean;
  test?: CredentialTest | undefined;
}

function SaveButton() {
  return (
    <button type="submit" name="action" value="save" class="btn btn-primary">
      Save
    </button>
  );
}

function ErrorSummary({ error }: { error: ShownError }) {
  return (
    <Notice kind="error">
      Nothing was saved.{' '}
      {error.anchor === undefined ? (
        error.message
      ) : (
        <>
          <a href={`#${fieldId(error.anchor)}`}>{error.label}</a>: {error.message}
        </>
      )}
    </Notice>
  );
}

function EditorPage({ context, mode, sync, state, projects, catalog, view, keyDropped, test }: EditorPageProps) {
  const action = sync === undefined ? '/ui/syncs/new' : `/ui/syncs/${sync.id}/edit`;
  const projectName = projects.find((project) => String(project.id) === state.project_id)?.name ?? `#${state.project_id}`;
  return (
    <Layout title={sync === undefined ? 'New sync' : `Edit ${sync.name}`} section="syncs" context={context}>
      {view.error !== undefined && <ErrorSummary error={view.error} />}
      {sync?.status.state === 'paused' && (
        <Notice kind="info">
          Paused since {formatTime(Date.parse(sync.status.since))}: {sync.status.reason}. Saving a change (a corrected key, for example) lets it try again.
        </Notice>
      )}
      {mode === 'create' && projects.length === 0 && (
        <Notice kind="info">
          A sync sends one project’s events: <a href="/ui/projects">create a project</a> first.
        </Notice>
      )}
      <form method="post" action={action} class="stack sync-editor">
        <CsrfField context={context} />
        <div class="editor-bar">
          <fieldset class="status-toggle">
            <legend>Status</legend>
            {sync !== undefined && (
              <p class="hint">
                Now: <SyncStatus status={sync.status} />
              </p>
            )}
            <CheckField path="enabled" label="Enabled: send to Customer.io" view={view} checked={state.enabled} isSwitch />
          </fieldset>
          <div class="actions">
            <SaveButton />
            <a class="btn" href={sync === undefined ? '/ui/syncs' : `/ui/syncs/${sync.id}`}>
              Cancel
            </a>
          </div>
        </div>
        <TextField path="name" label="Sync name" view={view} value={state.name} required maxLength={SYNC_LIMITS.nameLength} hint="Unique within the project." />
        {mode === 'create' ? (
          <ProjectPicker state={state} view={view} projects={projects} />
        ) : (
          <p>
            <span class="label">Project:</span> {projectName} <span class="muted">(a sync stays in its project)</span>
          </p>
        )}
        <Credentials
          state={state}
          view={view}
          keyStored={sync !== undefined}
          keyDropped={keyDropped}
          testUrl={sync === undefined ? '/ui/syncs/new/test-connection' : `/ui/syncs/${sync.id}/test-connection`}
          test={test}
        />
        <Mapping state={state} view={view} userProperties={catalog.userProperties} />
        <fieldset class="stack">
          <legend>Send events</legend>
          <CheckField path="send_events.enabled" label="Events are sent to Customer.io" view={view} checked={state.send_events.enabled} isSwitch />
          <EventsEditor state={state} view={view} />
          <SelectionEditor state={state} path="send_events.properties.event" view={view} />
          <SelectionEditor state={state} path="send_events.properties.user" view={view} />
          <CheckField
            path="send_events.anonymous"
            label="Send anonymous events"
            view={view}
            checked={state.send_events.anonymous}
            hint="Events without an identifier go with anonymous_id = device_id and are merged into the person when the device’s user is identified. Off: they are discarded."
          />
        </fieldset>
        <fieldset class="stack">
          <legend>Send users</legend>
          <CheckField
            path="send_users.enabled"
            label="Users are sent to Customer.io"
            view={view}
            checked={state.send_users.enabled}
            isSwitch
            hint="When a selected user property changes (Identify API, $identify, user_properties on events), the person is created or updated."
          />
          <SelectionEditor state={state} path="send_users.properties" view={view} />
        </fieldset>
        <fieldset class="stack">
          <legend>Options</legend>
          <CheckField path="options.convert_dates" label="Convert dates" view={view} checked={state.options.convert_dates} hint="ISO-8601 date strings become Unix timestamps." />
          <CheckField
            path="options.stringify_values"
            label="Send values as text"
            view={view}
            checked={state.options.stringify_values}
            hint="Every value is sent as a string, as Amplitude’s own destination does."
          />
        </fieldset>
        <div class="actions">
          <SaveButton />
          {sync !== undefined && (
            <a class="btn btn-danger" href={`/ui/syncs/${sync.id}/delete`}>
              Delete this sync…
            </a>
          )}
        </div>
      </form>
      <CatalogLists catalog={catalog} />
    </Layout>
  );
}

function DeletePage({ context, sync, projectName }: { context: PageContext; sync: { id: number; name: string }; projectName: string }) {
  return (
    <Layout title={`Delete ${sync.name}?`} section="syncs" context={context}>
      <p>
        This deletes sync {sync.id}, “{sync.name}” of project {projectName}: its settings, its pending deliveries, its dead letters and what it
        remembers about people. What Customer.io already received stays there. It cannot be undone.
      </p>
      <form method="post" action={`/ui/syncs/${sync.id}/delete`} class="actions">
        <CsrfField context={context} />
        <input type="hidden" name="confirm" value="delete" />
        <button type="submit" class="btn btn-danger">
          Delete the sync
        </button>
        <a class="btn" href={`/ui/syncs/${sync.id}/edit`}>
          Cancel
        </a>
      </form>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Routes

function syncIdOf(value: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw new AmpstreamError('not_found', `There is no sync ${value}.`);
  return Number(value);
}

async function catalogOf(deps: UiDependencies, projectId: string): Promise<SeenNames> {
  return /^[0-9]{1,15}$/.test(projectId) ? deps.catalog(Number(projectId)) : EMPTY_CATALOG;
}

function postedAction(body: unknown): EditorAction {
  return parseAction(isPlainObject(body) ? getOwn(body, 'action') : undefined);
}

/**
 * Test connection with the form's credentials. An empty key field of a saved sync uses the
 * stored key, for the same Site ID only (a key belongs to one site).
 */
async function testConnection(deps: UiDependencies, state: SyncFormState, record: SyncRecord | undefined): Promise<CredentialTest> {
  const problem = (message: string): CredentialTest => ({ ok: false, problem: 'input', message });
  const siteId = state.customerio.site_id.trim();
  let apiKey = state.customerio.api_key.trim();
  const region = state.customerio.region;
  if (siteId === '') return problem('enter the Site ID first.');
  if (!CREDENTIAL.test(siteId)) return problem(`the Site ID has no spaces and at most ${SYNC_LIMITS.credentialLength} characters.`);
  if (apiKey === '') {
    const stored = record === undefined ? undefined : workspaceOf(record);
    if (stored === undefined) return problem('enter the API key first.');
    if (stored.siteId !== siteId) return problem('this is not the stored Site ID: enter its API key.');
    apiKey = stored.apiKey;
  } else if (!CREDENTIAL.test(apiKey)) {
    return problem(`the API key has no spaces and at most ${SYNC_LIMITS.credentialLength} characters.`);
  }
  if (region !== 'us' && region !== 'eu') return problem('choose the region: US or EU.');
  return deps.syncs.testCredentials({ site_id: siteId, api_key: apiKey, region });
}

interface ShowOptions {
  mode: FormMode;
  record?: SyncRecord | undefined;
  state: SyncFormState;
  view?: EditorView;
  keyDropped?: boolean;
  test?: CredentialTest | undefined;
}

async function showEditor(reply: FastifyReply, deps: UiDependencies, options: ShowOptions, status = 200): Promise<FastifyReply> {
  const projects = await deps.projects.list();
  const catalog = await catalogOf(deps, options.state.project_id);
  const state = { ...options.state, identifier: withSeenUserProperties(options.state.identifier, catalog.userProperties) };
  const details = options.record === undefined ? undefined : syncDetails(options.record);
  reply.header('cache-control', 'no-store');
  return sendPage(
    reply,
    <EditorPage
      context={pageContext(reply, deps)}
      mode={options.mode}
      sync={details === undefined ? undefined : { id: details.id, name: details.config.name, status: details.status }}
      state={state}
      projects={projects}
      catalog={catalog}
      view={options.view ?? {}}
      keyDropped={options.keyDropped ?? false}
      test={options.test}
    />,
    status,
  );
}

/**
 * A post of the editor's form: Save (validated and stored as a whole, or shown again with the
 * error next to its field, nothing stored), Test connection, or a row button (shown again,
 * changed, unsaved). The typed key is never shown again.
 */
async function editorPost(request: FastifyRequest, reply: FastifyReply, deps: UiDependencies, mode: FormMode, record?: SyncRecord): Promise<FastifyReply> {
  const state = parseForm(request.body);
  if (record !== undefined) state.project_id = String(record.projectId);
  const action = postedAction(request.body);
  const base = { mode, record, keyDropped: state.customerio.api_key.trim() !== '' };
  if (action.kind === 'test-connection') return showEditor(reply, deps, { ...base, state, test: await testConnection(deps, state, record) });
  if (action.kind !== 'save') {
    const applied = applyAction(state, action);
    return showEditor(reply, deps, { ...base, state: applied.state, view: { focus: applied.focus } });
  }
  const input = stateToSyncInput(state, mode, record === undefined ? undefined : syncDetails(record).config);
  try {
    // validation checks the kept key before the Site ID: an emptied Site ID would read "API key: required"
    if (record !== undefined && state.customerio.site_id.trim() === '') {
      throw new AmpstreamError('invalid_request', 'customerio.site_id: required', { field: 'customerio.site_id' });
    }
    const saved = record === undefined ? await deps.syncs.create(input) : await deps.syncs.update(record.id, input, 'replace');
    return redirectAfterPost(reply, `/ui/syncs/${saved.id}`, isHtmx(request));
  } catch (error) {
    if (!isAmpstreamError(error) || (error.code !== 'invalid_request' && error.code !== 'conflict')) throw error;
    return showEditor(reply, deps, { ...base, state, view: { error: shownError(error, state) } }, error.status);
  }
}

/** `/ui/syncs/new`, `/ui/syncs/:id/edit` and `/ui/syncs/:id/delete`, with the editor's htmx parts. */
export function syncEditorPages(app: FastifyInstance, deps: UiDependencies): void {
  app.get<{ Querystring: { project?: string } }>('/syncs/new', async (request, reply) => {
    const projects = await deps.projects.list();
    const asked = projects.find((project) => String(project.id) === request.query.project);
    const projectId = asked?.id ?? (projects.length === 1 ? projects[0]?.id : undefined);
    return showEditor(reply, deps, { mode: 'create', state: newSyncFormState(projectId) });
  });

  app.post('/syncs/new', async (request, reply) => editorPost(request, reply, deps, 'create'));

  app.get<{ Params: { id: string } }>('/syncs/:id/edit', async (request, reply) => {
    const record = await deps.syncs.get(syncIdOf(request.params.id));
    const catalog = await deps.catalog(record.projectId);
    return showEditor(reply, deps, { mode: 'edit', record, state: syncToFormState(syncDetails(record).config, catalog.userProperties) });
  });

  app.post<{ Params: { id: string } }>('/syncs/:id/edit', async (request, reply) =>
    editorPost(request, reply, deps, 'edit', await deps.syncs.get(syncIdOf(request.params.id))),
  );

  // htmx: Test connection's answer, for the result area under the button
  app.post('/syncs/new/test-connection', async (request, reply) =>
    sendFragment(reply, <TestResult outcome={await testConnection(deps, parseForm(request.body), undefined)} />),
  );
  app.post<{ Params: { id: string } }>('/syncs/:id/test-connection', async (request, reply) => {
    const record = await deps.syncs.get(syncIdOf(request.params.id));
    return sendFragment(reply, <TestResult outcome={await testConnection(deps, parseForm(request.body), record)} />);
  });

  // htmx: a row button's part of the form, changed, from the form's current values; nothing is saved
  app.post('/syncs/editor/rows', async (request, reply) => {
    const action = postedAction(request.body);
    const applied = applyAction(parseForm(request.body), action);
    const view = { focus: applied.focus };
    return sendFragment(
      reply,
      action.kind === 'add-property' ? <SelectionEditor state={applied.state} path={action.selection} view={view} /> : <EventsEditor state={applied.state} view={view} />,
    );
  });

  // htmx: the names seen in the project just picked, and the identifier picker with them
  app.get<{ Querystring: Record<string, string | undefined> }>('/syncs/editor/catalog', async (request, reply) => {
    const catalog = await catalogOf(deps, request.query.project_id ?? '');
    const identifier = withSeenUserProperties(
      { choice: request.query[formName('identifier.choice')] ?? IDENTIFIER_USER_ID, name: request.query[formName('identifier.name')] ?? '' },
      catalog.userProperties,
    );
    return sendFragment(
      reply,
      <>
        <CatalogLists catalog={catalog} />
        <IdentifierSelect identifier={identifier} userProperties={catalog.userProperties} view={{}} oob />
        <IdentifierName identifier={identifier} view={{}} oob />
      </>,
    );
  });

  app.get<{ Params: { id: string } }>('/syncs/:id/delete', async (request, reply) => {
    const record = await deps.syncs.get(syncIdOf(request.params.id));
    const project = (await deps.projects.list()).find((p) => p.id === record.projectId);
    return sendPage(
      reply,
      <DeletePage context={pageContext(reply, deps)} sync={{ id: record.id, name: syncDetails(record).config.name }} projectName={project?.name ?? `#${record.projectId}`} />,
    );
  });

  app.post<{ Params: { id: string }; Body: { confirm?: unknown } }>('/syncs/:id/delete', async (request, reply) => {
    const id = syncIdOf(request.params.id);
    if (request.body?.confirm !== 'delete') return redirectAfterPost(reply, `/ui/syncs/${id}/delete`, isHtmx(request));
    await deps.syncs.remove(id);
    return redirectAfterPost(reply, '/ui/syncs', isHtmx(request));
  });
}
