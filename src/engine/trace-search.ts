import type { EventQuery, Store } from '../store/types.js';
import { traceEvent, type EventTrace } from './event-trace.js';

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
