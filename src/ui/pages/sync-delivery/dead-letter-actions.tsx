/**
 * Replaying and dropping dead letters from the delivery page: the dead letters a form selects, the
 * drop's confirmation, the notices that say what was done, and the answer to the form (the
 * dead-letter table again for htmx, or back to the page with the notice).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AmpstreamError } from '../../../errors.js';
import type { DeadLetterSelection, ReplayResult } from '../../../store/delivery-types.js';
import { formatCount } from '../../format.js';
import { sendFragment } from '../../html.js';
import { parseId } from '../../ids.js';
import { CsrfField, type PageContext } from '../../layout.js';
import { SESSION_COOKIE } from '../../session-store.js';
import { isHtmx, pageContext, type UiDependencies } from '../../ui-context.js';
import { DeadLetterSection, loadDeadLetters, type DeadLetterNotice } from './dead-letters.js';
import { deliveryPageUrl, type Period } from './period.js';

/** The fields the replay and drop forms post. */
export interface DeadLetterForm {
  ids?: unknown;
  all?: unknown;
  period?: unknown;
  confirm?: unknown;
}

/** The dead letters a form selects: its ticked ids, every one (`all`), or none. */
export function formSelection(body: DeadLetterForm | undefined): number[] | 'all' | undefined {
  if (body?.all === '1') return 'all';
  const raw = body?.ids;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > 10_000 || list.some((id) => parseId(id) === undefined)) {
    throw new AmpstreamError('invalid_request', 'The selection of dead letters is not a list of ids.');
  }
  return list.length === 0 ? undefined : [...new Set(list.map(Number))];
}

/** A form's selection as the dead-letter store takes it. */
export function deadLetterSelection(selected: number[] | 'all'): DeadLetterSelection {
  return selected === 'all' ? {} : { ids: selected };
}

/** The second step of a drop: what will go, and a button that really does it. */
export function DropConfirm({ syncId, period, ids, total, context }: { syncId: number; period: Period; ids: number[] | 'all'; total: number; context: PageContext }) {
  const count = ids === 'all' ? total : ids.length;
  const plural = count === 1 ? '' : 's';
  const listed = ids !== 'all' && ids.length <= 10 ? ` (${ids.join(', ')})` : '';
  const what = ids === 'all' ? `all ${formatCount(total)} dead letter${plural}` : `${formatCount(count)} dead letter${plural}${listed}`;
  const action = `/ui/syncs/${syncId}/dead-letters/drop`;
  return (
    <section id="dead-letters" class="panel panel-highlight" aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title" tabIndex={-1} autofocus>
        Drop {what}?
      </h2>
      <p>Dropped dead letters leave the list and can no longer be replayed. They stay counted as not delivered.</p>
      <form method="post" action={action} hx-post={action} hx-target="#dead-letters" hx-swap="outerHTML" class="actions">
        <CsrfField context={context} />
        <input type="hidden" name="period" value={period} />
        <input type="hidden" name="confirm" value="yes" />
        {ids === 'all' ? <input type="hidden" name="all" value="1" /> : ids.map((id) => <input key={id} type="hidden" name="ids" value={String(id)} />)}
        <button type="submit" class="btn btn-danger">
          Drop {count === 1 ? 'it' : `these ${formatCount(count)}`}
        </button>
        <a href={`${deliveryPageUrl(syncId, period)}#dead-letters`}>Cancel</a>
      </form>
    </section>
  );
}

export const NOTHING_SELECTED: DeadLetterNotice = { kind: 'error', text: 'Select at least one dead letter first (or use the buttons for all of them).' };

/** `Replayed 2 (skipped 1: too large …)`: what a replay did, skips grouped by reason. */
export function replayNotice(result: ReplayResult): string {
  const replayed = result.replayed.length;
  if (replayed === 0 && result.skipped.length === 0) return 'Nothing replayed: the selected dead letters are no longer in the list.';
  const reasons = new Map<string, number>();
  for (const skip of result.skipped) reasons.set(skip.reason, (reasons.get(skip.reason) ?? 0) + 1);
  const why = [...reasons].map(([reason, count]) => (reasons.size === 1 ? reason : `${count} × ${reason}`)).join('; ');
  const skipped = result.skipped.length === 0 ? '' : ` (skipped ${formatCount(result.skipped.length)}: ${why})`;
  return `Replayed ${formatCount(replayed)}${skipped}.${replayed > 0 ? ' They are sent again now.' : ''}`;
}

/** What a drop did. */
export function dropNotice(dropped: number): string {
  return dropped === 0 ? 'Nothing dropped: the selected dead letters are no longer in the list.' : `Dropped ${formatCount(dropped)}. They stay counted as not delivered.`;
}

/** The session's key of the notice a plain form post leaves for the page it redirects to. */
const noticeKey = (syncId: number) => `delivery-notice-${syncId}`;

/** The notice a replay or a drop left for this page, once. */
export function takeNotice(deps: UiDependencies, request: FastifyRequest, syncId: number): DeadLetterNotice | undefined {
  const text = deps.sessions.takeOnce(request.cookies[SESSION_COOKIE], noticeKey(syncId));
  return text === undefined ? undefined : (JSON.parse(text) as DeadLetterNotice);
}

/** After a replay or a drop: the dead-letter section again (htmx), or back to the page with the notice (a plain form). */
export async function answerDeadLetters(deps: UiDependencies, request: FastifyRequest, reply: FastifyReply, syncId: number, period: Period, notice: DeadLetterNotice): Promise<FastifyReply> {
  if (isHtmx(request)) {
    const view = await loadDeadLetters(deps, syncId, period, 0, notice);
    return sendFragment(reply, <DeadLetterSection view={view} context={pageContext(reply, deps)} />);
  }
  deps.sessions.showOnce(request.cookies[SESSION_COOKIE], noticeKey(syncId), JSON.stringify(notice));
  return reply.code(303).header('location', `${deliveryPageUrl(syncId, period)}#dead-letters`).send();
}
