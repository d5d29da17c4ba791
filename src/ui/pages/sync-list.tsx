import type { FastifyInstance } from 'fastify';
import { syncDetails, type SyncDetails } from '../../engine/sync-service.js';
import { HOUR_MS } from '../../metrics/delivery-metrics.js';
import type { DeliveryCounts } from '../../store/delivery-types.js';
import { DataTable } from '../components.js';
import { formatAge, formatCount } from '../format.js';
import { sendPage } from '../html.js';
import { noSuch, parseId } from '../ids.js';
import { Layout, type PageContext } from '../layout.js';
import { SyncStatus } from '../sync-status.js';
import { pageContext, type UiDependencies } from '../ui-context.js';

export interface SyncRow {
  details: SyncDetails;
  projectName: string;
  counts: DeliveryCounts;
  oldestPendingAt: number | null;
  lastHour: { delivered: number; failed: number };
}

/** A sync's row on the list: status, backlog, and what happened in the last hour. */
export async function syncRow(deps: UiDependencies, details: SyncDetails, projectName: string): Promise<SyncRow> {
  const now = deps.clock();
  const buckets = await deps.store.metricBuckets(details.id, 'minute', now - HOUR_MS, now + 1);
  const lastHour = { delivered: 0, failed: 0 };
  for (const bucket of buckets) {
    lastHour.delivered += bucket.delta.delivered;
    lastHour.failed += bucket.delta.dead;
  }
  const backlog = await deps.syncs.backlog(details.id);
  return { details, projectName, counts: await deps.syncs.counts(details.id), oldestPendingAt: backlog.oldestPendingAt, lastHour };
}

function SyncListPage({ context, rows, now, projectFilter }: { context: PageContext; rows: SyncRow[]; now: number; projectFilter?: string }) {
  return (
    <Layout title="Syncs" section="syncs" context={context}>
      <p class="actions">
        <a class="btn btn-primary" href="/ui/syncs/new">
          New sync
        </a>
        {projectFilter !== undefined && (
          <span>
            {' '}
            Showing the syncs of {projectFilter}. <a href="/ui/syncs">Show all</a>
          </span>
        )}
      </p>
      <DataTable caption="Syncs: each streams one project to one Customer.io workspace" head={['Name', 'Project', 'Status', 'Backlog', 'Delivered (1 h)', 'Failed (1 h)', '']}>
        {rows.map((row) => (
          <tr key={row.details.id}>
            <td>
              <a href={`/ui/syncs/${row.details.id}`}>{row.details.config.name}</a>
            </td>
            <td>{row.projectName}</td>
            <td>
              <SyncStatus status={row.details.status} />
            </td>
            <td>
              {formatCount(row.counts.pending)}
              {row.oldestPendingAt !== null && <span class="muted"> (oldest {formatAge(now - row.oldestPendingAt)})</span>}
            </td>
            <td>{formatCount(row.lastHour.delivered)}</td>
            <td class={row.lastHour.failed > 0 ? 'bad' : undefined}>{formatCount(row.lastHour.failed)}</td>
            <td>
              <a href={`/ui/syncs/${row.details.id}/edit`} aria-label={`Edit ${row.details.config.name}`}>
                Edit
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
      {rows.length === 0 && <p>No syncs yet. A sync sends one project's events and user updates to a Customer.io workspace.</p>}
    </Layout>
  );
}

/** `/ui/syncs` (optionally `?project=ID`): every sync with its status, backlog and last hour. */
export function syncListPage(app: FastifyInstance, deps: UiDependencies): void {
  app.get<{ Querystring: { project?: string } }>('/syncs', async (request, reply) => {
    const projects = await deps.projects.list();
    const names = new Map(projects.map((p) => [p.id, p.name]));
    // `?project=` (an empty filter) shows every sync; any other value must name a project
    const asked = request.query.project;
    const projectId = asked === undefined || asked === '' ? undefined : parseId(asked);
    if (asked !== undefined && asked !== '' && (projectId === undefined || !names.has(projectId))) throw noSuch('project', asked);
    const records = await deps.syncs.list(projectId);
    const rows = await Promise.all(records.map((record) => syncRow(deps, syncDetails(record), names.get(record.projectId) ?? `#${record.projectId}`)));
    const filter = projectId === undefined ? undefined : names.get(projectId);
    return sendPage(reply, <SyncListPage context={pageContext(reply, deps)} rows={rows} now={deps.clock()} {...(filter === undefined ? {} : { projectFilter: filter })} />);
  });
}
