import type { ComponentChildren } from 'preact';

/** The element id of a form field for a config path (`send_events.events.0.event_type`). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

interface FieldProps {
  /** The config path the field edits; its error (if any) is shown right below it. */
  path: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
}

/** A labelled form control with its hint and, when the last save failed on it, its error. */
export function Field({ path, label, hint, error, children }: FieldProps) {
  const id = fieldId(path);
  return (
    <div class={error === undefined ? 'field' : 'field field-invalid'}>
      <label for={id}>{label}</label>
      {children}
      {hint !== undefined && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Links a control to its hint and error for screen readers. */
export function describedBy(path: string, hasHint: boolean, error: string | undefined): string | undefined {
  const id = fieldId(path);
  const ids = [hasHint ? `${id}-hint` : '', error === undefined ? '' : `${id}-error`].filter(Boolean);
  return ids.length === 0 ? undefined : ids.join(' ');
}

/** A status word with its colour: enabled, paused, disabled; delivered, failed, pending. */
export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'off'; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** A table that scrolls sideways on a narrow screen instead of breaking the page. */
export function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="data">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The fields of a form that shows one of a few things: a labelled `<select>` of them (its id is its name) and a Show button. */
export function SelectWithShowButton({ name, label, options, selected }: { name: string; label: string; options: readonly { value: string; label: string }[]; selected: string }) {
  return (
    <>
      <label for={name}>{label}</label>
      <select id={name} name={name}>
        {options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === selected}>
            {o.label}
          </option>
        ))}
      </select>
      <button type="submit" class="btn">
        Show
      </button>
    </>
  );
}
