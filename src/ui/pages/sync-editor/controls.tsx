/** The editor's form controls: fields bound to a form path, showing the last save's error and taking the focus. */
import type { ComponentChildren } from 'preact';
import { SYNC_LIMITS } from '../../../sync/sync-schema.js';
import { Field, describedBy, fieldId } from '../../components.js';
import { actionValue, formName, type EditorAction, type ShownError } from '../../sync-form.js';
import { EVENTS_EDITOR_ID, ROWS_URL } from './ids-and-urls.js';

/** What a page or fragment of the editor shows besides the values: the last save's error, where the focus goes. */
export interface EditorView {
  error?: ShownError | undefined;
  focus?: string | undefined;
}

export function errorAt(view: EditorView, path: string): string | undefined {
  return view.error?.anchor === path ? view.error.message : undefined;
}

interface ControlProps {
  path: string;
  label: string;
  view: EditorView;
  hint?: ComponentChildren;
}

/** aria-describedby of a control: its hint and error, and any shared note. */
export function described(path: string, hasHint: boolean, error: string | undefined, shared?: string): string | undefined {
  const ids = [shared, describedBy(path, hasHint, error)].filter((id) => id !== undefined);
  return ids.length === 0 ? undefined : ids.join(' ');
}

export function TextField({
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
  /** `null`: no maxlength, the server's check alone (names: the browser counts UTF-16 units, names are counted in characters). */
  maxLength?: number | null;
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
        maxLength={maxLength === null ? undefined : (maxLength ?? SYNC_LIMITS.textLength)}
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

export function TextAreaField({ path, label, view, hint, value, name, shared }: ControlProps & { value: string; name?: string; shared?: string }) {
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

export function SelectField({
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
export function CheckField({ path, label, view, hint, checked, isSwitch }: ControlProps & { checked: boolean; isSwitch?: boolean }) {
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
export function GroupError({ path, view }: { path: string; view: EditorView }) {
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
export function FormButton({
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
