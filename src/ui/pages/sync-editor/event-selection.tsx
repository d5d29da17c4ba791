/** Which events and properties a sync sends: the event rows with their where-conditions, and the property selections. */
import { ALL_EVENTS, NONE_VALUE, SYNC_LIMITS, SYNC_OPERATORS } from '../../../sync/sync-schema.js';
import { fieldId } from '../../components.js';
import { addClauseButtonId, formName, rowLetter, selectionAt, type ClauseForm, type SelectionPath, type SyncFormState } from '../../sync-form.js';
import { CheckField, FormButton, GroupError, SelectField, TextAreaField, TextField, type EditorView } from './controls.js';
import { EVENTS_EDITOR_ID, LIST_IDS } from './ids-and-urls.js';

const SCOPES: readonly [string, string][] = [
  ['event', 'Event property'],
  ['user', 'User property'],
  ['field', 'Event field'],
];
const SCOPE_LISTS: Readonly<Record<string, string>> = { event: LIST_IDS.eventProperties, user: LIST_IDS.userProperties, field: LIST_IDS.fields };
const OPERATORS: readonly [string, string][] = SYNC_OPERATORS.map((op) => [op, op]);

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
export function EventsEditor({ state, view }: { state: SyncFormState; view: EditorView }) {
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
export function SelectionEditor({ state, path, view }: { state: SyncFormState; path: SelectionPath; view: EditorView }) {
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
