import type { FastifyInstance } from 'fastify';
import { DISPLAY_NAME_MAX_LENGTH } from '../../display-names.js';
import { isAmpstreamError } from '../../errors.js';
import type { Project } from '../../store/types.js';
import { DataTable, Field, describedBy } from '../components.js';
import { formatTime } from '../format.js';
import { redirectAfterPost, sendPage } from '../html.js';
import { CsrfField, Layout, Notice, type PageContext } from '../layout.js';
import { SESSION_COOKIE } from '../session-store.js';
import { isHtmx, pageContext, publicOrigin, type UiDependencies } from '../ui-context.js';

interface CreatedKey {
  projectId: number;
  apiKey: string;
}

interface ProjectsPageProps {
  context: PageContext;
  projects: Project[];
  origin: string;
  created?: CreatedKey | undefined;
  problem?: { field: string | undefined; message: string; name: string } | undefined;
}

/** How to point an official SDK here. */
function SdkHint({ origin }: { origin: string }) {
  return (
    <p class="hint">
      In an Amplitude SDK, set <code>serverUrl</code> to <code>{`${origin}/2/httpapi`}</code> (HTTP V2; batch mode uses{' '}
      <code>{`${origin}/batch`}</code>, the Identify API <code>{`${origin}/identify`}</code>) and use the project's API key.
    </p>
  );
}

function CreatedKeyPanel({ created, origin }: { created: CreatedKey; origin: string }) {
  return (
    <section class="panel panel-highlight" aria-labelledby="new-key">
      <h2 id="new-key">API key of project {created.projectId}</h2>
      <Notice kind="info">This is the only time the key is shown: copy it now. ampstream keeps only its hash.</Notice>
      <div class="copy-row">
        <label for="new-api-key">API key</label>
        <input id="new-api-key" type="text" readonly value={created.apiKey} class="mono" />
        <button type="button" class="btn" data-copy="new-api-key">
          Copy
        </button>
      </div>
      <div class="copy-row">
        <label for="ingest-url">Ingest URL (serverUrl)</label>
        <input id="ingest-url" type="text" readonly value={`${origin}/2/httpapi`} class="mono" />
        <button type="button" class="btn" data-copy="ingest-url">
          Copy
        </button>
      </div>
      <p>
        Next: <a href={`/ui/syncs/new?project=${created.projectId}`}>create a sync</a> to stream this project's events to Customer.io.
      </p>
    </section>
  );
}

function ProjectsPage({ context, projects, origin, created, problem }: ProjectsPageProps) {
  const nameError = problem !== undefined && problem.field !== 'api_key' ? problem.message : undefined;
  const keyError = problem?.field === 'api_key' ? problem.message : undefined;
  return (
    <Layout title="Projects" section="projects" context={context}>
      {created !== undefined && <CreatedKeyPanel created={created} origin={origin} />}
      <DataTable caption="Projects: each has its own ingestion API key" head={['Id', 'Name', 'API key', 'Created', 'Syncs']}>
        {projects.map((project) => (
          <tr key={project.id}>
            <td>{project.id}</td>
            <td>{project.name}</td>
            <td class="mono">{project.apiKeyHint}</td>
            <td>{formatTime(project.createdAt)}</td>
            <td>
              <a href={`/ui/syncs?project=${project.id}`} aria-label={`Syncs of ${project.name}`}>
                Syncs
              </a>{' '}
              ·{' '}
              <a href={`/ui/syncs/new?project=${project.id}`} aria-label={`New sync for ${project.name}`}>
                New sync
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
      {projects.length === 0 && <p>No projects yet.</p>}
      <SdkHint origin={origin} />
      <section class="panel" aria-labelledby="create-project">
        <h2 id="create-project">Create a project</h2>
        <form method="post" action="/ui/projects" class="stack">
          <CsrfField context={context} />
          <Field path="name" label="Name" hint={`Unique; at most ${DISPLAY_NAME_MAX_LENGTH} characters.`} error={nameError}>
            {/* no maxlength: the browser counts UTF-16 units, the server counts characters (src/display-names.ts) */}
            <input
              id="f-name"
              name="name"
              type="text"
              required
              value={problem?.name ?? ''}
              aria-invalid={nameError === undefined ? undefined : 'true'}
              aria-describedby={describedBy('name', true, nameError)}
            />
          </Field>
          <Field path="api_key" label="API key (optional)" hint="Leave empty to have one generated. Give one to keep an SDK's existing key." error={keyError}>
            <input id="f-api_key" name="api_key" type="text" autocomplete="off" maxLength={200} aria-describedby={describedBy('api_key', true, keyError)} />
          </Field>
          <button type="submit" class="btn btn-primary">
            Create project
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** `/ui/projects`: the list, the create form, and the new key shown once after creating. */
export function projectPages(app: FastifyInstance, deps: UiDependencies): void {
  app.get('/projects', async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const createdText = deps.sessions.takeOnce(sessionId, 'created-project');
    const created = createdText === undefined ? undefined : (JSON.parse(createdText) as CreatedKey);
    return sendPage(
      reply,
      <ProjectsPage context={pageContext(reply, deps)} projects={await deps.projects.list()} origin={publicOrigin(request)} created={created} />,
    );
  });

  app.post<{ Body: { name?: unknown; api_key?: unknown } }>('/projects', async (request, reply) => {
    const name = request.body?.name;
    const apiKey = request.body?.api_key;
    try {
      const created = await deps.projects.create({ name, ...(typeof apiKey === 'string' && apiKey !== '' ? { apiKey } : {}) });
      const value: CreatedKey = { projectId: created.id, apiKey: created.apiKey };
      deps.sessions.showOnce(request.cookies[SESSION_COOKIE], 'created-project', JSON.stringify(value));
      return redirectAfterPost(reply, '/ui/projects', isHtmx(request));
    } catch (error) {
      if (!isAmpstreamError(error) || error.status >= 500) throw error;
      const problem = { field: error.field, message: error.message, name: typeof name === 'string' ? name : '' };
      return sendPage(
        reply,
        <ProjectsPage context={pageContext(reply, deps)} projects={await deps.projects.list()} origin={publicOrigin(request)} problem={problem} />,
        error.status,
      );
    }
  });
}
