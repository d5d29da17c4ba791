import { getOwn, type JsonObject } from '../amplitude/plain-data.js';
import { clauseHolds } from './clause-operators.js';
import { ALL_EVENTS, type EventRow, type WhereClause } from './sync-schema.js';

/** An event as the filter sees it. */
export interface FilterableEvent {
  eventType: string;
  /** Top-level event fields; user_id and device_id as stored (user_id resolved through the device link). */
  fields: Record<string, unknown>;
  eventProperties: JsonObject;
  /** The profile after this event's operations. */
  userProperties: JsonObject;
}

/**
 * The top-level event fields a `field` clause can name: the ids, the event type, and the scalar
 * fields of Amplitude's HTTP V2 event. Anything else is refused when the sync is saved, so a typo
 * never silently filters out every event.
 */
export const FILTER_FIELDS: readonly string[] = [
  'user_id',
  'device_id',
  'event_type',
  'app_version',
  'version_name',
  'platform',
  'os_name',
  'os_version',
  'device_brand',
  'device_manufacturer',
  'device_model',
  'carrier',
  'country',
  'region',
  'city',
  'dma',
  'language',
  'ip',
  'library',
  'user_agent',
  'partner_id',
  'session_id',
  'event_id',
  'price',
  'quantity',
  'revenue',
  'productId',
  'revenueType',
  'currency',
  'location_lat',
  'location_lng',
  'idfa',
  'idfv',
  'adid',
  'android_id',
  'android_app_set_id',
  'start_version',
  'paying',
];

/** `$identify` and `$groupidentify` carry user or group updates; they are never sent as events. */
export function isUserUpdateEventType(eventType: string): boolean {
  return eventType === '$identify' || eventType === '$groupidentify';
}

function propertyValue(clause: WhereClause, event: FilterableEvent): unknown {
  switch (clause.scope) {
    case 'event':
      return getOwn(event.eventProperties, clause.property);
    case 'user':
      return getOwn(event.userProperties, clause.property);
    case 'field':
      return getOwn(event.fields, clause.property);
  }
}

function rowMatches(row: EventRow, event: FilterableEvent): boolean {
  if (row.event_type !== ALL_EVENTS && row.event_type !== event.eventType) return false;
  return row.where.every((clause) => clauseHolds(clause.op, propertyValue(clause, event), clause.values));
}

/**
 * The index of the first row the event matches (rows are OR-ed, a row's clauses AND-ed), or
 * undefined when none does. Event types match exactly; `*` matches every event except user
 * updates (`$identify`, `$groupidentify`), which never match.
 */
export function selectEventRow(rows: readonly EventRow[], event: FilterableEvent): number | undefined {
  if (isUserUpdateEventType(event.eventType)) return undefined;
  const index = rows.findIndex((row) => rowMatches(row, event));
  return index === -1 ? undefined : index;
}
