import { setOwn, type JsonObject } from '../amplitude/plain-data.js';
import { applyValueOptions, applyValueOptionsToAll, fitPersonAttribute, type Adjustment, type MappingOptions } from './attribute-values.js';
import { eventUlid } from './event-ulid.js';
import { toIdentifiers } from './identifiers.js';
import { MAX_ATTRIBUTES_PER_IDENTIFY, MAX_EVENT_NAME_BYTES, MAX_IDENTIFIER_BYTES, MAX_ITEM_BYTES } from './limits.js';
import type { PersonEventItem, PersonIdentifiers, PersonIdentifyItem } from './track-items.js';
import { cutToUtf8Bytes, jsonByteLength, utf8ByteLength } from './utf8.js';

/** An accepted Amplitude event, independent of how the store keeps it. */
export interface MappableEvent {
  projectId: number;
  /** Every stored event has one: ingest assigns one to events sent without it. */
  insertId: string;
  deviceId: string | null;
  userId: string | null;
  eventType: string;
  /** Event time in milliseconds. */
  time: number;
  /** The properties the sync forwards (already selected), sent as the event's attributes. */
  attributes: Record<string, unknown>;
}

/** Who an event is sent for, as the sync decided. */
export interface EventAddressing {
  /** The sync's identifier value for this event (e.g. its user_id); null or undefined when it has none. */
  identifierValue: unknown;
  /** Whether events without an identifier go as anonymous events keyed by device_id. */
  sendAnonymous: boolean;
}

/** A change to one user's selected properties: `to` missing means the property was removed. */
export interface MappableUserUpdate {
  identifierValue: unknown;
  changed: Record<string, { from?: unknown; to?: unknown }>;
  /** Set when the user's device had anonymous activity, so Customer.io merges it. */
  anonymousId?: string;
  /** When ampstream processed the update, in milliseconds. */
  processedAt: number;
  /** One identify even with no attributes to send, so the person exists in Customer.io. */
  evenWithoutAttributes?: boolean;
}

export type EventMapping =
  | { ok: true; item: PersonEventItem; adjustments: Adjustment[] }
  /** `tooLarge`: the item exists but exceeds Customer.io's item limit (it is dead-lettered, not discarded). */
  | { ok: false; reason: string; adjustments: Adjustment[]; tooLarge?: true };

export type UserUpdateMapping =
  | { ok: true; items: PersonIdentifyItem[]; adjustments: Adjustment[] }
  | { ok: false; reason: string; adjustments: Adjustment[] };

function itemTooLargeReason(bytes: number): string {
  return `item is ${bytes} bytes, over Customer.io's ${MAX_ITEM_BYTES}-byte (32 KB) limit for one item`;
}

function eventIdentifiers(event: MappableEvent, addressing: EventAddressing): { ok: true; identifiers: PersonIdentifiers } | { ok: false; reason: string } {
  if (addressing.identifierValue !== null && addressing.identifierValue !== undefined) {
    return toIdentifiers(addressing.identifierValue);
  }
  if (!addressing.sendAnonymous || event.deviceId === null || event.deviceId === '') return { ok: false, reason: 'no identifier' };
  if (utf8ByteLength(event.deviceId) > MAX_IDENTIFIER_BYTES) {
    return { ok: false, reason: `device_id is over Customer.io's ${MAX_IDENTIFIER_BYTES}-byte limit for anonymous_id` };
  }
  return { ok: true, identifiers: { anonymous_id: event.deviceId } };
}

/** Customer.io's name for an event: the event type cut to 100 UTF-8 bytes. */
export function eventName(eventType: string, adjustments: Adjustment[]): string {
  const name = cutToUtf8Bytes(eventType, MAX_EVENT_NAME_BYTES);
  if (name !== eventType) {
    adjustments.push({ kind: 'event_name_cut', fromBytes: utf8ByteLength(eventType), toBytes: utf8ByteLength(name) });
  }
  return name;
}

/** The Track API v2 `event` item for one Amplitude event, or why it cannot be sent. */
export function mapEventToItem(event: MappableEvent, addressing: EventAddressing, options: MappingOptions): EventMapping {
  const adjustments: Adjustment[] = [];
  const identifiers = eventIdentifiers(event, addressing);
  if (!identifiers.ok) return { ok: false, reason: identifiers.reason, adjustments };
  if (event.eventType.trim() === '') return { ok: false, reason: 'event name is blank', adjustments };
  const item: PersonEventItem = {
    type: 'person',
    action: 'event',
    identifiers: identifiers.identifiers,
    name: eventName(event.eventType, adjustments),
    id: eventUlid(event),
    timestamp: Math.floor(event.time / 1000),
    attributes: applyValueOptionsToAll(event.attributes, options),
  };
  const bytes = jsonByteLength(item);
  if (bytes > MAX_ITEM_BYTES) return { ok: false, reason: itemTooLargeReason(bytes), adjustments, tooLarge: true };
  return { ok: true, item, adjustments };
}

/** The attributes an update sends: changed values (removed ones as ""), then `anonymous_id`. */
function updateAttributes(update: MappableUserUpdate, options: MappingOptions, adjustments: Adjustment[]): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const name of Object.keys(update.changed)) {
    if (name === 'anonymous_id' && update.anonymousId !== undefined) continue;
    const change = update.changed[name];
    const removed = change === undefined || !Object.prototype.hasOwnProperty.call(change, 'to') || change.to === undefined;
    const fitted = fitPersonAttribute(name, removed ? '' : applyValueOptions(change.to, options), adjustments);
    if (fitted !== undefined) entries.push([name, fitted.value]);
  }
  if (update.anonymousId !== undefined) {
    const fitted = fitPersonAttribute('anonymous_id', update.anonymousId, adjustments);
    if (fitted !== undefined) entries.push(['anonymous_id', fitted.value]);
  }
  return entries;
}

/**
 * The Track API v2 `identify` items for one user update. Attributes are split over several items
 * when one would hold more than 300 attributes or exceed 32 KB; there are no items when nothing is
 * left to send, unless the update asks for one even without attributes. `timestamp` is the processing time, never the event time, so Customer.io never
 * drops a late update as stale.
 */
export function mapUserUpdateToItems(update: MappableUserUpdate, options: MappingOptions): UserUpdateMapping {
  const adjustments: Adjustment[] = [];
  const identifiers = toIdentifiers(update.identifierValue);
  if (!identifiers.ok) return { ok: false, reason: identifiers.reason, adjustments };
  const timestamp = Math.floor(update.processedAt / 1000);
  const newItem = (): PersonIdentifyItem => ({
    type: 'person',
    action: 'identify',
    identifiers: identifiers.identifiers,
    timestamp,
    attributes: {},
  });
  const baseBytes = jsonByteLength(newItem());
  const items: PersonIdentifyItem[] = [];
  let current: PersonIdentifyItem | undefined;
  let currentBytes = 0;
  let currentCount = 0;
  for (const [name, value] of updateAttributes(update, options, adjustments)) {
    const cost = jsonByteLength(name) + jsonByteLength(value) + 2; // `:` and `,`
    if (current === undefined || currentCount >= MAX_ATTRIBUTES_PER_IDENTIFY || currentBytes + cost > MAX_ITEM_BYTES) {
      current = newItem();
      items.push(current);
      currentBytes = baseBytes;
      currentCount = 0;
    }
    setOwn(current.attributes as JsonObject, name, value);
    currentBytes += cost;
    currentCount++;
  }
  if (items.length === 0 && update.evenWithoutAttributes === true) items.push(newItem());
  return { ok: true, items, adjustments };
}
