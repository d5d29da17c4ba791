/** The delivery page's failures: the error categories since the sync was created, and the deliveries waiting for a retry. */
import { readDeliveryError } from '../../../store/delivery-error.js';
import type { DeliveryRecord, FailureGroup } from '../../../store/delivery-types.js';
import { DataTable } from '../../components.js';
import { formatAge, formatCount, formatTime } from '../../format.js';
import type { UiDependencies } from '../../ui-context.js';
import { errorSummary, itemLabel, personLabel, shorten } from './delivery-labels.js';

/** Pending retries shown (the oldest first). */
const RETRIES_SHOWN = 50;
/** Pending deliveries read to find the retries among them. */
const PENDING_READ = 1000;

/** The pending deliveries a request already carried (the oldest first, RETRIES_SHOWN at most). */
export async function loadPendingRetries(deps: UiDependencies, syncId: number): Promise<DeliveryRecord[]> {
  const pending = await deps.syncs.deliveries(syncId, 'pending', PENDING_READ);
  return pending.filter((d) => d.sends > 0).slice(0, RETRIES_SHOWN);
}

export function ErrorCategoriesSection({ groups }: { groups: FailureGroup[] }) {
  return (
    <section class="panel" aria-labelledby="errors-title">
      <h2 id="errors-title">Error categories</h2>
      {groups.length === 0 ? (
        <p>No failures so far.</p>
      ) : (
        <DataTable caption="Failures by category and reason, since the sync was created (each failed request of an item counts), with the last samples" head={['Category', 'Reason', 'Failures', 'First', 'Last', 'Samples']}>
          {groups.map((g) => (
            <tr key={`${g.category}|${g.reason}`}>
              <th scope="row" class="mono">
                {g.category}
              </th>
              <td>{g.reason}</td>
              <td class="num">{formatCount(g.count)}</td>
              <td>{formatTime(g.firstAt)}</td>
              <td>{formatTime(g.lastAt)}</td>
              <td>
                <details>
                  <summary>
                    {g.samples.length} sample{g.samples.length === 1 ? '' : 's'}
                  </summary>
                  {g.samples.map((sample, i) => (
                    <div key={i} class="sample">
                      <p class="label">Reply: {sample.reply.status ?? 'none'}</p>
                      <pre class="json">{shorten(sample.reply.body, 2000)}</pre>
                      <p class="label">Item sent</p>
                      <pre class="json">{JSON.stringify(sample.item, null, 2)}</pre>
                    </div>
                  ))}
                </details>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export function PendingRetriesSection({ retries, now }: { retries: DeliveryRecord[]; now: number }) {
  return (
    <section class="panel" aria-labelledby="retries-title">
      <h2 id="retries-title">Pending retries</h2>
      {retries.length === 0 ? (
        <p>No delivery is waiting for a retry.</p>
      ) : (
        <DataTable
          caption={`Deliveries a request already carried, waiting for their next attempt (the first ${RETRIES_SHOWN} at most)`}
          head={['Id', 'Item', 'Person', 'Attempts', 'Next attempt', 'Last error']}
        >
          {retries.map((d) => (
            <tr key={d.id}>
              <th scope="row">{d.id}</th>
              <td>{itemLabel(d)}</td>
              <td class="mono">{personLabel(d.person)}</td>
              <td class="num">
                {formatCount(d.attempts)}
                {d.sends !== d.attempts && <span class="muted"> ({formatCount(d.sends)} requests)</span>}
              </td>
              <td>
                {formatTime(d.nextAttemptAt)}
                <span class="muted"> ({d.nextAttemptAt <= now ? 'due now' : `in ${formatAge(d.nextAttemptAt - now)}`})</span>
              </td>
              <td>{errorSummary(readDeliveryError(d.lastError))}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
