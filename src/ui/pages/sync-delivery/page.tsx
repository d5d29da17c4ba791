/** The delivery page's whole pages: a sync's delivery, its event trace, and the confirmation of a drop, each in the layout. */
import type { ComponentChildren } from 'preact';
import type { SyncDetails } from '../../../engine/sync-service.js';
import type { DeliveryCounts, DeliveryRecord, FailureGroup } from '../../../store/delivery-types.js';
import { Layout, Notice, type PageContext } from '../../layout.js';
import { DeadLetterSection, type DeadLetterView } from './dead-letters.js';
import { ErrorCategoriesSection, PendingRetriesSection } from './failures.js';
import { MetricsSection, type MetricsView } from './metrics.js';
import { PeriodForm } from './period.js';
import { SyncHeader } from './sync-header.js';
import { NO_TRACE_QUERY, TraceSection, type TraceFound, type TraceQuery } from './trace.js';

interface DeliveryPageProps {
  context: PageContext;
  sync: SyncDetails;
  projectName: string;
  counts: DeliveryCounts;
  oldestPendingAt: number | null;
  metrics: MetricsView;
  groups: FailureGroup[];
  retries: DeliveryRecord[];
  deadLetters: DeadLetterView;
  now: number;
  /** What the page says of a `?period=` it does not know (it shows the default period). */
  periodNotice?: string | undefined;
}

export function DeliveryPage(props: DeliveryPageProps) {
  const { context, sync, metrics } = props;
  return (
    <Layout title={sync.config.name} section="syncs" context={context}>
      <SyncHeader sync={sync} projectName={props.projectName} counts={props.counts} oldestPendingAt={props.oldestPendingAt} deadLetters={props.deadLetters.total} now={props.now} />
      <PeriodForm syncId={sync.id} period={metrics.period} />
      {props.periodNotice !== undefined && <Notice kind="info">{props.periodNotice}</Notice>}
      <MetricsSection view={metrics} />
      <ErrorCategoriesSection groups={props.groups} />
      <PendingRetriesSection retries={props.retries} now={props.now} />
      <DeadLetterSection view={props.deadLetters} context={context} />
      <TraceSection syncId={sync.id} query={NO_TRACE_QUERY} found={undefined} />
    </Layout>
  );
}

export function TracePage({ context, sync, query, found }: { context: PageContext; sync: SyncDetails; query: TraceQuery; found: TraceFound | undefined }) {
  return (
    <Layout title={`Trace · ${sync.config.name}`} section="syncs" context={context}>
      <p>
        <a href={`/ui/syncs/${sync.id}`}>Back to the delivery of {sync.config.name}</a>
      </p>
      <TraceSection syncId={sync.id} query={query} found={found} />
    </Layout>
  );
}

/** The confirmation of a drop as a page of its own (a plain form; htmx swaps the confirmation into the delivery page). */
export function DropConfirmPage({ context, sync, children }: { context: PageContext; sync: SyncDetails; children: ComponentChildren }) {
  return (
    <Layout title={`Drop dead letters · ${sync.config.name}`} section="syncs" context={context}>
      {children}
    </Layout>
  );
}
