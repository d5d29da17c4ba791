/** The top of the delivery page: the sync's status, project, backlog and dead-letter count, with links to edit it and to all syncs. */
import type { SyncDetails } from '../../../engine/sync-service.js';
import type { DeliveryCounts } from '../../../store/delivery-types.js';
import { formatAge, formatCount, formatTime } from '../../format.js';
import { SyncStatus } from '../../sync-status.js';

export function SyncHeader({ sync, projectName, counts, oldestPendingAt, deadLetters, now }: { sync: SyncDetails; projectName: string; counts: DeliveryCounts; oldestPendingAt: number | null; deadLetters: number; now: number }) {
  const status = sync.status;
  return (
    <section class="panel" aria-labelledby="sync-facts">
      <h2 id="sync-facts" class="visually-hidden">
        The sync
      </h2>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <SyncStatus status={status} />
            {status.state === 'paused' && <span class="muted"> since {formatTime(Date.parse(status.since))}</span>}
          </dd>
        </div>
        <div>
          <dt>Project</dt>
          <dd>{projectName}</dd>
        </div>
        <div>
          <dt>Backlog</dt>
          <dd>
            {formatCount(counts.pending)} pending
            {oldestPendingAt !== null && <span class="muted"> (oldest {formatAge(now - oldestPendingAt)})</span>}
          </dd>
        </div>
        <div>
          <dt>Dead letters</dt>
          <dd>
            <a href="#dead-letters">{formatCount(deadLetters)}</a>
          </dd>
        </div>
      </dl>
      <p class="actions">
        <a class="btn" href={`/ui/syncs/${sync.id}/edit`}>
          Edit this sync
        </a>
        <a href="/ui/syncs">All syncs</a>
      </p>
    </section>
  );
}
