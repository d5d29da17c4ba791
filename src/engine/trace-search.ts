import type { EventQuery, Store } from '../store/types.js';
import { traceEvent, type EventTrace } from './event-trace.js';
import type { TracePaging } from './trace-lookup.js';

/** A page of traces, oldest event first, and where the next page starts (null: there is none). */
export interface TracePage {
  traces: EventTrace[];
  /** The seq of this page's last event, to pass as `after` for the next page; null when no event follows. */
  nextAfter: number | null;
}

/** The traces of the events a query finds (insert_id, user_id, device_id, project): each one's steps per sync of its project. */
export async function searchTraces(store: Store, query: EventQuery): Promise<EventTrace[]> {
  const events = await store.findEvents(query);
  const syncs = await store.listSyncs();
  const traces: EventTrace[] = [];
  for (const event of events) {
    const deliveries = await store.findDeliveries({ eventSeq: event.seq, limit: 100 });
    traces.push(traceEvent(event, syncs, deliveries));
  }
  return traces;
}

/** A page of the traces a query finds: one event more is read to tell whether another page follows. */
export async function searchTracePage(store: Store, query: Omit<EventQuery, 'limit' | 'afterSeq'>, paging: TracePaging): Promise<TracePage> {
  const traces = await searchTraces(store, { ...query, ...(paging.after === undefined ? {} : { afterSeq: paging.after }), limit: paging.limit + 1 });
  if (traces.length <= paging.limit) return { traces, nextAfter: null };
  const page = traces.slice(0, paging.limit);
  return { traces: page, nextAfter: (page[page.length - 1] as EventTrace).seq };
}
