/** The editor's routes: its pages, the posts of its form, and the htmx fragments of its parts. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getOwn, isPlainObject } from '../../../amplitude/plain-data.js';
import { workspaceOf } from '../../../engine/delivery/delivery-engine.js';
import { syncDetails, type CredentialTest } from '../../../engine/sync-service.js';
import { AmpstreamError, isAmpstreamError } from '../../../errors.js';
import type { SyncRecord } from '../../../store/delivery-types.js';
import { parseRevision } from '../../../sync/revision.js';
import { SYNC_LIMITS } from '../../../sync/sync-schema.js';
import { redirectAfterPost, sendFragment, sendPage } from '../../html.js';
import { parseId, syncOfUrl } from '../../ids.js';
import {
  IDENTIFIER_USER_ID,
  applyAction,
  formName,
  newSyncFormState,
  parseAction,
  parseForm,
  shownError,
  stateToSyncInput,
  syncToFormState,
  withSeenUserProperties,
  type EditorAction,
  type FormMode,
  type SyncFormState,
} from '../../sync-form.js';
import { isHtmx, pageContext, type SeenNames, type UiDependencies } from '../../ui-context.js';
import type { EditorView } from './controls.js';
import { TestResult } from './credentials.js';
import { EventsEditor, SelectionEditor } from './event-selection.js';
import { IdentifierName, IdentifierSelect } from './identifier-mapping.js';
import { DeletePage, EditorPage, type RevisionProblem } from './page.js';
import { CatalogLists } from './project-catalog.js';

const CREDENTIAL = new RegExp(`^\\S{1,${SYNC_LIMITS.credentialLength}}$`);
const EMPTY_CATALOG: SeenNames = { eventTypes: [], eventProperties: [], userProperties: [] };

async function catalogOf(deps: UiDependencies, projectId: string): Promise<SeenNames> {
  const id = parseId(projectId);
  return id === undefined ? EMPTY_CATALOG : deps.catalog(id);
}

function postedAction(body: unknown): EditorAction {
  return parseAction(isPlainObject(body) ? getOwn(body, 'action') : undefined);
}

/** The revision the posted form was opened at, or undefined when it has none or not a number. */
function postedRevision(body: unknown): number | undefined {
  const value = isPlainObject(body) ? getOwn(body, 'revision') : undefined;
  return typeof value === 'string' ? parseRevision(value) : undefined;
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
  /** The revision the form carries (edit): the one it was opened at, or the sync's after a refused Save. */
  revision?: number | undefined;
  revisionProblem?: RevisionProblem | undefined;
}

async function showEditor(reply: FastifyReply, deps: UiDependencies, options: ShowOptions, status = 200): Promise<FastifyReply> {
  const projects = await deps.projects.list();
  const catalog = await catalogOf(deps, options.state.project_id);
  const state = { ...options.state, identifier: withSeenUserProperties(options.state.identifier, catalog.userProperties) };
  const details = options.record === undefined ? undefined : syncDetails(options.record);
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
      revision={options.revision}
      revisionProblem={options.revisionProblem}
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
  const revision = record === undefined ? undefined : postedRevision(request.body);
  const base = { mode, record, keyDropped: state.customerio.api_key.trim() !== '', revision };
  // a form without its revision could overwrite changes it never showed: shown again with the sync's, so Save again overwrites
  if (record !== undefined && revision === undefined) {
    return showEditor(reply, deps, { ...base, state, revision: record.revision, revisionProblem: 'unknown' }, 400);
  }
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
    const saved = record === undefined ? await deps.syncs.create(input) : await deps.syncs.update(record.id, input, 'replace', [revision as number]);
    return redirectAfterPost(reply, `/ui/syncs/${saved.id}`, isHtmx(request));
  } catch (error) {
    if (isAmpstreamError(error) && error.code === 'precondition_failed' && record !== undefined) {
      // changed since the form was opened: nothing saved, what was typed shown again with the sync's revision now
      const current = await deps.syncs.get(record.id);
      return showEditor(reply, deps, { ...base, record: current, state, revision: current.revision, revisionProblem: 'changed' }, 409);
    }
    if (!isAmpstreamError(error) || (error.code !== 'invalid_request' && error.code !== 'conflict')) throw error;
    return showEditor(reply, deps, { ...base, state, view: { error: shownError(error, state) } }, error.status);
  }
}

/** The delete confirmation of a sync as it is now (its name, its revision). */
async function showDeletePage(reply: FastifyReply, deps: UiDependencies, record: SyncRecord, revisionProblem?: RevisionProblem, status = 200): Promise<FastifyReply> {
  const project = (await deps.projects.list()).find((p) => p.id === record.projectId);
  return sendPage(
    reply,
    <DeletePage
      context={pageContext(reply, deps)}
      sync={{ id: record.id, name: syncDetails(record).config.name }}
      projectName={project?.name ?? `#${record.projectId}`}
      revision={record.revision}
      revisionProblem={revisionProblem}
    />,
    status,
  );
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
    const record = await syncOfUrl(deps, request.params.id);
    const catalog = await deps.catalog(record.projectId);
    return showEditor(reply, deps, { mode: 'edit', record, state: syncToFormState(syncDetails(record).config, catalog.userProperties), revision: record.revision });
  });

  app.post<{ Params: { id: string } }>('/syncs/:id/edit', async (request, reply) =>
    editorPost(request, reply, deps, 'edit', await syncOfUrl(deps, request.params.id)),
  );

  // htmx: Test connection's answer, for the result area under the button
  app.post('/syncs/new/test-connection', async (request, reply) =>
    sendFragment(reply, <TestResult outcome={await testConnection(deps, parseForm(request.body), undefined)} />),
  );
  app.post<{ Params: { id: string } }>('/syncs/:id/test-connection', async (request, reply) => {
    const record = await syncOfUrl(deps, request.params.id);
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

  app.get<{ Params: { id: string } }>('/syncs/:id/delete', async (request, reply) => showDeletePage(reply, deps, await syncOfUrl(deps, request.params.id)));

  // the confirmation carries the revision it showed: a sync changed since is not deleted (409), nor is one by a form without it (400)
  app.post<{ Params: { id: string }; Body: { confirm?: unknown } }>('/syncs/:id/delete', async (request, reply) => {
    const record = await syncOfUrl(deps, request.params.id);
    if (request.body?.confirm !== 'delete') return redirectAfterPost(reply, `/ui/syncs/${record.id}/delete`, isHtmx(request));
    const revision = postedRevision(request.body);
    if (revision === undefined) return showDeletePage(reply, deps, record, 'unknown', 400);
    try {
      await deps.syncs.remove(record.id, [revision]);
    } catch (error) {
      if (!isAmpstreamError(error) || error.code !== 'precondition_failed') throw error;
      return showDeletePage(reply, deps, await deps.syncs.get(record.id), 'changed', 409);
    }
    return redirectAfterPost(reply, '/ui/syncs', isHtmx(request));
  });
}
