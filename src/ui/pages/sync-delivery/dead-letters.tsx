/** The delivery page's dead-letter table: a page of the sync's dead letters, with the form that replays or drops them. */
import { readDeliveryError } from '../../../store/delivery-error.js';
import type { DeliveryRecord } from '../../../store/delivery-types.js';
import { DataTable } from '../../components.js';
import { formatCount, formatTime } from '../../format.js';
import { CsrfField, Notice, type PageContext } from '../../layout.js';
import type { UiDependencies } from '../../ui-context.js';
import { DEAD_LETTER_CAUSES, errorSummary, itemLabel, personLabel } from './delivery-labels.js';
import { deliveryPageUrl, type Period } from './period.js';

/** Dead letters per page of the table. */
const DEAD_LETTER_PAGE = 100;

/** What a replay or a drop did, shown above the dead-letter table. */
export interface DeadLetterNotice {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export interface DeadLetterView {
  syncId: number;
  period: Period;
  rows: DeliveryRecord[];
  total: number;
  after: number;
  hasMore: boolean;
  notice?: DeadLetterNotice | undefined;
}

export async function loadDeadLetters(deps: UiDependencies, syncId: number, period: Period, after: number, notice?: DeadLetterNotice): Promise<DeadLetterView> {
  const rows = await deps.deadLetters.list(syncId, {}, after, DEAD_LETTER_PAGE + 1);
  const { deadLetters } = await deps.syncs.backlog(syncId);
  return { syncId, period, rows: rows.slice(0, DEAD_LETTER_PAGE), total: deadLetters, after, hasMore: rows.length > DEAD_LETTER_PAGE, notice };
}

export function DeadLetterSection({ view, context }: { view: DeadLetterView; context: PageContext }) {
  const base = `/ui/syncs/${view.syncId}/dead-letters`;
  const more = `/ui/syncs/${view.syncId}?${new URLSearchParams({ period: view.period, after: String(view.rows.at(-1)?.id ?? 0) }).toString()}#dead-letters`;
  return (
    <section id="dead-letters" class="panel" aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title" tabIndex={-1} autofocus={view.notice !== undefined}>
        Dead letters
      </h2>
      {view.notice !== undefined && <Notice kind={view.notice.kind}>{view.notice.text}</Notice>}
      {view.total === 0 ? (
        <p>The dead-letter store is empty: every item is delivered, discarded or still pending.</p>
      ) : (
        <form method="post" action={`${base}/replay`} hx-post={`${base}/replay`} hx-target="#dead-letters" hx-swap="outerHTML">
          <CsrfField context={context} />
          <input type="hidden" name="period" value={view.period} />
          <p>
            {formatCount(view.total)} item{view.total === 1 ? '' : 's'} Customer.io refused, that expired, or that are too large to send. A replay sends the same item
            with the same event id again (Customer.io drops an event id it has seen); a dropped one leaves this list and stays counted as not delivered.
          </p>
          <DataTable
            caption={`Dead letters, oldest first${view.after > 0 || view.hasMore ? ` (${formatCount(view.rows.length)} of ${formatCount(view.total)} on this page)` : ''}`}
            head={['Select', 'Id', 'Item', 'Person', 'Reason', 'Died', 'Error']}
          >
            {view.rows.map((d) => (
              <tr key={d.id}>
                <td class="check-cell">
                  <input type="checkbox" id={`dead-${d.id}`} name="ids" value={String(d.id)} />
                  <label for={`dead-${d.id}`} class="visually-hidden">
                    Select dead letter {d.id}
                  </label>
                </td>
                <th scope="row">{d.id}</th>
                <td>{itemLabel(d)}</td>
                <td class="mono">{personLabel(d.person)}</td>
                <td>{DEAD_LETTER_CAUSES[d.reason ?? ''] ?? d.reason ?? '—'}</td>
                <td>{formatTime(d.deadAt ?? d.createdAt)}</td>
                <td>{errorSummary(readDeliveryError(d.lastError))}</td>
              </tr>
            ))}
          </DataTable>
          {(view.hasMore || view.after > 0) && (
            <p>
              {view.hasMore && <a href={more}>Next {DEAD_LETTER_PAGE}</a>}
              {view.after > 0 && (
                <span>
                  {view.hasMore ? ' · ' : ''}
                  <a href={`${deliveryPageUrl(view.syncId, view.period)}#dead-letters`}>Back to the oldest</a>
                </span>
              )}
            </p>
          )}
          <div class="actions">
            <button type="submit" class="btn btn-primary">
              Replay selected
            </button>
            <button type="submit" name="all" value="1" class="btn">
              Replay all {formatCount(view.total)}
            </button>
            <button type="submit" formaction={`${base}/drop`} class="btn btn-danger">
              Drop selected…
            </button>
            <button type="submit" formaction={`${base}/drop`} name="all" value="1" class="btn btn-danger">
              Drop all…
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
