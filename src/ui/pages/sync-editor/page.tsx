/** The editor's pages: the form with its parts in order, and the page that confirms a delete. */
import type { CredentialTest, SyncState } from '../../../engine/sync-service.js';
import type { Project } from '../../../store/types.js';
import { SYNC_LIMITS } from '../../../sync/sync-schema.js';
import { fieldId } from '../../components.js';
import { formatTime } from '../../format.js';
import { CsrfField, Layout, Notice, type PageContext } from '../../layout.js';
import type { FormMode, ShownError, SyncFormState } from '../../sync-form.js';
import { SyncStatus } from '../../sync-status.js';
import type { SeenNames } from '../../ui-context.js';
import { CheckField, TextField, type EditorView } from './controls.js';
import { Credentials } from './credentials.js';
import { EventsEditor, SelectionEditor } from './event-selection.js';
import { Mapping } from './identifier-mapping.js';
import { CatalogLists, ProjectPicker } from './project-catalog.js';

/**
 * The sync editor, in the order of Amplitude's Customer.io destination page: status and Save at
 * the top, name, credentials with Test connection, mapping, Send Events (event rows with their
 * where-conditions, additional properties, anonymous events), Send Users, options.
 *
 * Plain forms first: every button works without JavaScript (the row buttons then post the whole
 * form, which is shown again unsaved). With htmx, the row buttons swap only their part of the
 * form, so nothing typed is lost, not even the API key, which a page never holds.
 */

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
  /** The revision the form was opened at (edit only): a Save from another is refused. */
  revision?: number | undefined;
  /** Why a Save was refused for its revision: the sync changed since, or the form named none. */
  revisionProblem?: RevisionProblem | undefined;
}

export type RevisionProblem = 'changed' | 'unknown';

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

/**
 * Why nothing was saved when the form's revision is not the sync's; the form now carries the
 * sync's, so Save again overwrites. A new key typed is not in the form shown again (a page never
 * holds a key): Save again would keep the stored one, so the message says to type it again first.
 */
function RevisionSummary({ problem, syncId, keyDropped }: { problem: RevisionProblem; syncId: number; keyDropped: boolean }) {
  const key = keyDropped && ' The new API key you typed was not kept (a page never holds a key): type it again before saving, or saving keeps the stored key.';
  const choice = (
    <>
      <a href={`/ui/syncs/${syncId}/edit`}>Reload</a> to see the current settings, or {keyDropped ? 'type the key again and Save again' : 'Save again'} to overwrite them.
    </>
  );
  return problem === 'changed' ? (
    <Notice kind="error">
      This sync was changed since you opened it (by another tab or person). Your changes are not saved.{key} {choice}
    </Notice>
  ) : (
    <Notice kind="error">
      Nothing was saved. The form did not say which version of the sync it was opened at, so saving it could overwrite changes made since.{key} {choice}
    </Notice>
  );
}

export function EditorPage({ context, mode, sync, state, projects, catalog, view, keyDropped, test, revision, revisionProblem }: EditorPageProps) {
  const action = sync === undefined ? '/ui/syncs/new' : `/ui/syncs/${sync.id}/edit`;
  const projectName = projects.find((project) => String(project.id) === state.project_id)?.name ?? `#${state.project_id}`;
  return (
    <Layout title={sync === undefined ? 'New sync' : `Edit ${sync.name}`} section="syncs" context={context}>
      {revisionProblem !== undefined && sync !== undefined && <RevisionSummary problem={revisionProblem} syncId={sync.id} keyDropped={keyDropped} />}
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
        {revision !== undefined && <input type="hidden" name="revision" value={String(revision)} />}
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
        <TextField path="name" label="Sync name" view={view} value={state.name} required maxLength={null} hint={`Unique within the project; at most ${SYNC_LIMITS.nameLength} characters.`} />
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

interface DeletePageProps {
  context: PageContext;
  sync: { id: number; name: string };
  projectName: string;
  /** The sync's revision as the page shows it: the delete is refused if it changed since. */
  revision: number;
  /** Why a confirmed delete was refused: the sync changed since the page was opened, or the form named no revision. */
  revisionProblem?: RevisionProblem | undefined;
}

/** Why nothing was deleted; the page now shows the sync and its revision as they are, so confirming again deletes it. */
function DeleteRevisionSummary({ problem, syncId }: { problem: RevisionProblem; syncId: number }) {
  const choice = (
    <>
      Check <a href={`/ui/syncs/${syncId}/edit`}>its current settings</a>, or confirm below to delete it as it is now.
    </>
  );
  return problem === 'changed' ? (
    <Notice kind="error">This sync was changed since you opened this page (by another tab or person), so it was not deleted. {choice}</Notice>
  ) : (
    <Notice kind="error">Nothing was deleted. The page did not say which version of the sync it was opened at, so it could have deleted changes made since. {choice}</Notice>
  );
}

export function DeletePage({ context, sync, projectName, revision, revisionProblem }: DeletePageProps) {
  return (
    <Layout title={`Delete ${sync.name}?`} section="syncs" context={context}>
      {revisionProblem !== undefined && <DeleteRevisionSummary problem={revisionProblem} syncId={sync.id} />}
      <p>
        This deletes sync {sync.id}, “{sync.name}” of project {projectName}: its settings, its pending deliveries, its dead letters and what it
        remembers about people. What Customer.io already received stays there. It cannot be undone.
      </p>
      <form method="post" action={`/ui/syncs/${sync.id}/delete`} class="actions">
        <CsrfField context={context} />
        <input type="hidden" name="confirm" value="delete" />
        <input type="hidden" name="revision" value={String(revision)} />
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
