/** The sync's project: its picker, and the names seen in it that the editor's pickers suggest. */
import type { Project } from '../../../store/types.js';
import { FILTER_FIELDS } from '../../../sync/event-filter.js';
import { ALL_EVENTS } from '../../../sync/sync-schema.js';
import { Field, fieldId } from '../../components.js';
import type { SyncFormState } from '../../sync-form.js';
import type { SeenNames } from '../../ui-context.js';
import { described, errorAt, type EditorView } from './controls.js';
import { CATALOG_URL, LIST_IDS } from './ids-and-urls.js';

/** Suggestions per list: the pickers take any name typed, the lists only help. */
const CATALOG_LIST_LIMIT = 2000;

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
export function CatalogLists({ catalog }: { catalog: SeenNames }) {
  return (
    <div id="editor-catalog">
      <DataList id={LIST_IDS.eventTypes} names={catalog.eventTypes} allEvents />
      <DataList id={LIST_IDS.eventProperties} names={catalog.eventProperties} />
      <DataList id={LIST_IDS.userProperties} names={catalog.userProperties} />
      <DataList id={LIST_IDS.fields} names={FILTER_FIELDS} />
    </div>
  );
}

export function ProjectPicker({ state, view, projects }: { state: SyncFormState; view: EditorView; projects: Project[] }) {
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
