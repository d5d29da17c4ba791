/** The mapping: which Amplitude value is the Customer.io identifier. */
import { SYNC_LIMITS } from '../../../sync/sync-schema.js';
import { Field, fieldId } from '../../components.js';
import { IDENTIFIER_OTHER, IDENTIFIER_USER_ID, formName, identifierChoiceFor, type IdentifierForm, type SyncFormState } from '../../sync-form.js';
import { described, errorAt, type EditorView } from './controls.js';
import { LIST_IDS } from './ids-and-urls.js';

function identifierOptions(userProperties: readonly string[]): [string, string][] {
  return [
    [IDENTIFIER_USER_ID, 'User ID'],
    ...userProperties.map((name): [string, string] => [identifierChoiceFor(name), `User property: ${name}`]),
    [IDENTIFIER_OTHER, 'Another user property (type its name below)'],
  ];
}

/** The identifier's two controls; `oob` when the catalog answer replaces them for another project. */
export function IdentifierSelect({ identifier, userProperties, view, oob }: { identifier: IdentifierForm; userProperties: readonly string[]; view: EditorView; oob?: boolean }) {
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

export function IdentifierName({ identifier, view, oob }: { identifier: IdentifierForm; view: EditorView; oob?: boolean }) {
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

export function Mapping({ state, view, userProperties }: { state: SyncFormState; view: EditorView; userProperties: readonly string[] }) {
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
