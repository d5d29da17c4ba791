/** The delivery page's routes: the page (or its metrics for htmx), the dead-letter replay and drop, and the event trace. */
import type { FastifyInstance } from 'fastify';
import { syncDetails, type SyncDetails } from '../../../engine/sync-service.js';
import { sendFragment, sendPage } from '../../html.js';
import { parseId, syncOfUrl } from '../../ids.js';
import { isHtmx, pageContext, type UiDependencies } from '../../ui-context.js';
import { answerDeadLetters, deadLetterSelection, dropNotice, DropConfirm, formSelection, NOTHING_SELECTED, replayNotice, takeNotice, type DeadLetterForm } from './dead-letter-actions.js';
import { loadDeadLetters } from './dead-letters.js';
import { loadPendingRetries } from './failures.js';
import { loadMetrics, MetricsSection } from './metrics.js';
import { DeliveryPage, DropConfirmPage, TracePage } from './page.js';
import { periodOf, unknownPeriodNotice } from './period.js';
import { findTraces, traceQueryOf, TraceResults } from './trace.js';

/** The sync of a URL, or a 404 page for an id that names none. */
async function loadSync(deps: UiDependencies, idText: string): Promise<SyncDetails> {
  return syncDetails(await syncOfUrl(deps, idText));
}

async function projectName(deps: UiDependencies, projectId: number): Promise<string> {
  return (await deps.store.getProject(projectId))?.name ?? `project ${projectId}`;
}

/**
 * `/ui/syncs/:id`: a sync's delivery: status and backlog, the summary of a period with charts,
 * error categories, pending retries, the dead-letter store (replay, drop) and the event trace.
 */
export function syncDeliveryPages(app: FastifyInstance, deps: UiDependencies): void {
  app.get<{ Params: { id: string }; Querystring: { period?: string; after?: string } }>('/syncs/:id', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.query.period);
    const metrics = await loadMetrics(deps, sync.id, period);
    if (isHtmx(request) && request.headers['hx-target'] === 'delivery-metrics') return sendFragment(reply, <MetricsSection view={metrics} />);
    const after = parseId(request.query.after) ?? 0;
    const retries = await loadPendingRetries(deps, sync.id);
    const backlog = await deps.syncs.backlog(sync.id);
    return sendPage(
      reply,
      <DeliveryPage
        context={pageContext(reply, deps)}
        sync={sync}
        projectName={await projectName(deps, sync.config.project_id)}
        counts={await deps.syncs.counts(sync.id)}
        oldestPendingAt={backlog.oldestPendingAt}
        metrics={metrics}
        groups={await deps.store.failureGroups(sync.id)}
        retries={retries}
        deadLetters={await loadDeadLetters(deps, sync.id, period, after, takeNotice(deps, request, sync.id))}
        now={deps.clock()}
        periodNotice={unknownPeriodNotice(request.query.period)}
      />,
    );
  });

  app.post<{ Params: { id: string }; Body: DeadLetterForm }>('/syncs/:id/dead-letters/replay', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.body?.period);
    const selected = formSelection(request.body);
    if (selected === undefined) return answerDeadLetters(deps, request, reply, sync.id, period, NOTHING_SELECTED);
    const result = await deps.deadLetters.replay(sync.id, deadLetterSelection(selected));
    return answerDeadLetters(deps, request, reply, sync.id, period, { kind: result.replayed.length > 0 ? 'ok' : 'info', text: replayNotice(result) });
  });

  app.post<{ Params: { id: string }; Body: DeadLetterForm }>('/syncs/:id/dead-letters/drop', async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const period = periodOf(request.body?.period);
    const selected = formSelection(request.body);
    if (selected === undefined) return answerDeadLetters(deps, request, reply, sync.id, period, NOTHING_SELECTED);
    if (request.body?.confirm !== 'yes') {
      const { deadLetters: total } = await deps.syncs.backlog(sync.id);
      const confirm = <DropConfirm syncId={sync.id} period={period} ids={selected} total={total} context={pageContext(reply, deps)} />;
      if (isHtmx(request)) return sendFragment(reply, confirm);
      return sendPage(
        reply,
        <DropConfirmPage sync={sync} context={pageContext(reply, deps)}>
          {confirm}
        </DropConfirmPage>,
      );
    }
    const dropped = await deps.deadLetters.drop(sync.id, deadLetterSelection(selected));
    return answerDeadLetters(deps, request, reply, sync.id, period, { kind: dropped > 0 ? 'ok' : 'info', text: dropNotice(dropped) });
  });

  // a parameter given twice: the page with the form and what is wrong (traceQueryOf reads it)
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/syncs/:id/trace', { config: { readsRepeatedQuery: true } }, async (request, reply) => {
    const sync = await loadSync(deps, request.params.id);
    const query = traceQueryOf(request.query);
    const found = await findTraces(deps, sync.config.project_id, query);
    // a key given twice or too long: the page with the form and what is wrong, as a 400
    const status = query.problem === undefined ? 200 : 400;
    if (isHtmx(request) && request.headers['hx-target'] === 'trace-results') return sendFragment(reply, <TraceResults syncId={sync.id} query={query} found={found} />, status);
    return sendPage(reply, <TracePage context={pageContext(reply, deps)} sync={sync} query={query} found={found} />, status);
  });
}
