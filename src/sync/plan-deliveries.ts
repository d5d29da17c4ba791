import { getOwn, isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';
import type { PropertyChange } from '../amplitude/user-property-operations.js';
import type { Adjustment, MappingOptions } from '../customerio/attribute-values.js';
import { mapEventToItem, mapUserUpdateToItems } from '../customerio/mapping.js';
import type { TrackItem } from '../customerio/track-items.js';
import type { EventRecord } from '../store/types.js';
import { isUserUpdateEventType, selectEventRow, type FilterableEvent } from './event-filter.js';
import { previousIdentifier, resolveIdentifier } from './identifier.js';
import { selectEventAttributes, selectProperties } from './property-selection.js';
import type { SyncConfig } from './sync-schema.js';

/** What a sync remembers about one person (per sync and person key). */
export interface SyncPersonState {
  /** Send Users has planned an identify for this person. */
  identified: boolean;
}

export interface PlanInput {
  /** An enabled sync of the event's project (whether it is enabled is the caller's business). */
  sync: SyncConfig;
  event: EventRecord;
  /** Undefined: the sync has never seen this person. */
  person: SyncPersonState | undefined;
  /** The event's device had anonymous events sent by this sync that were not yet merged into a person. */
  anonymousDevicePending: boolean;
  /**
   * Other devices linked to the event's user whose anonymous events this sync sent and has not
   * merged yet (the caller knows the links; empty or left out when there are none).
   */
  linkedPendingDevices?: readonly string[];
  /** Processing time in ms: the identify timestamp. */
  now: number;
}

export type PlannedAction = 'event' | 'identify';

export type PlannedOutcome =
  | { kind: 'delivery'; action: PlannedAction; item: TrackItem; adjustments: Adjustment[] }
  /** Cannot be sent (no identifier, over a limit): counted as eventsDiscarded. */
  | { kind: 'discarded'; action: PlannedAction; reason: string; adjustments: Adjustment[] }
  /** Too large for Customer.io ever to take: never sent, kept in the dead-letter store with the reason. */
  | { kind: 'unsendable'; action: PlannedAction; reason: string; adjustments: Adjustment[] }
  /** Not selected by the sync: not a failure, not counted. */
  | { kind: 'filtered_out'; reason: string };

export interface PlanResult {
  /** Identifies first, then the event, so Customer.io has the new attributes when the event triggers campaigns. */
  outcomes: PlannedOutcome[];
  /** The person's new state, when it changed. */
  person?: SyncPersonState;
  /** `pending`: an anonymous event was planned for the device; `merged`: its pending activity is merged by this identify. */
  anonymousDevice?: 'pending' | 'merged';
  /** Linked devices (`linkedPendingDevices`, not the event's own) whose anonymous activity this plan merges. */
  mergedDevices?: string[];
}

/** What Send Users wants to send for this event. */
interface UserUpdate {
  changed: Record<string, PropertyChange>;
  /** The first identify of a sync whose Send Users selects no property carries no attributes. */
  evenWithoutAttributes: boolean;
  /** This identify is the sync's first for the person. */
  firstForPerson: boolean;
}

const FILTERED_OUT_SEND_EVENTS_OFF = 'send events is off';
const FILTERED_OUT_NO_ROW = 'no event selection row matches';

function mappingOptions(sync: SyncConfig): MappingOptions {
  return { convertDates: sync.options.convert_dates, stringifyValues: sync.options.stringify_values };
}

function eventProperties(event: EventRecord): JsonObject {
  const value = getOwn(event.payload, 'event_properties');
  return isPlainObject(value) ? value : {};
}

/** The event as filters see it: its payload's top-level fields with the ids and type as stored. */
function filterableEvent(event: EventRecord): FilterableEvent {
  const fields: Record<string, unknown> = { ...event.payload };
  setOwn(fields, 'user_id', event.userId);
  setOwn(fields, 'device_id', event.deviceId);
  setOwn(fields, 'event_type', event.eventType);
  return { eventType: event.eventType, fields, eventProperties: eventProperties(event), userProperties: event.userProperties };
}

/** The first time a sync sees a person: every selected property that has a value (not missing, not null). */
function firstSightingChanges(selected: JsonObject): Record<string, PropertyChange> {
  const changed: Record<string, PropertyChange> = {};
  for (const name of Object.keys(selected)) {
    if (selected[name] !== null && selected[name] !== undefined) setOwn(changed as JsonObject, name, { to: selected[name] });
  }
  return changed;
}

/**
 * What Send Users sends for this event, or undefined when it sends nothing: it is off, the event
 * has no identifier, or the event left the profile alone (`$skip_user_properties_sync`).
 */
function userUpdate(input: PlanInput, identifierValue: string | number | null): UserUpdate | undefined {
  const { sync, event } = input;
  if (!sync.send_users.enabled || identifierValue === null) return undefined;
  if (getOwn(event.payload, '$skip_user_properties_sync') === true) return undefined;
  const selection = sync.send_users.properties;
  // a new identifier value is a new person to Customer.io: it gets every selected value
  if (input.person?.identified !== true || identifierChanged(input)) {
    return {
      changed: firstSightingChanges(selectProperties(selection, event.userProperties)),
      evenWithoutAttributes: Array.isArray(selection) && selection.length === 0,
      firstForPerson: true,
    };
  }
  const changed = selectProperties(selection, (event.changes ?? {}) as JsonObject) as Record<string, PropertyChange>;
  return { changed, evenWithoutAttributes: false, firstForPerson: false };
}

/** The event set the identifier property to another value (or set it after it was removed). */
function identifierChanged(input: PlanInput): boolean {
  const { identifier } = input.sync;
  return identifier.from === 'user_property' && input.event.changes !== null && Object.prototype.hasOwnProperty.call(input.event.changes, identifier.name);
}

/**
 * The event removed the person's identifier value (`$unset`, `$clearAll`): the selected properties
 * it removed or changed are sent to the person by the previous value, the one Customer.io knows
 * them by, so no stale attribute is left there. The identifier property itself is left out: it is
 * how Customer.io addresses the person. Nothing when nothing else selected changed.
 */
function planRemovedIdentifier(input: PlanInput, previous: string | number, result: PlanResult): void {
  const { sync, event } = input;
  if (!sync.send_users.enabled || event.changes === null) return;
  const changed = selectProperties(sync.send_users.properties, event.changes as JsonObject) as Record<string, PropertyChange>;
  if (sync.identifier.from === 'user_property') delete changed[sync.identifier.name];
  if (Object.keys(changed).length === 0) return;
  const mapped = mapUserUpdateToItems({ identifierValue: previous, changed, processedAt: input.now }, mappingOptions(sync));
  if (!mapped.ok || mapped.items.length === 0) {
    const reason = mapped.ok ? "no attribute is left to send within Customer.io's limits" : mapped.reason;
    result.outcomes.push({ kind: 'discarded', action: 'identify', reason, adjustments: mapped.adjustments });
    return;
  }
  mapped.items.forEach((item, index) => {
    result.outcomes.push({ kind: 'delivery', action: 'identify', item, adjustments: index === 0 ? mapped.adjustments : [] });
  });
}

/**
 * The devices whose anonymous activity this event merges into the person: the event's own device
 * first, then the other pending devices linked to its user. Only once the person has an identifier.
 */
function devicesToMerge(input: PlanInput, identifierValue: string | number | null): string[] {
  if (identifierValue === null) return [];
  const devices: string[] = [];
  const own = input.event.deviceId;
  if (input.anonymousDevicePending && own !== null) devices.push(own);
  for (const device of input.linkedPendingDevices ?? []) {
    if (device !== own && !devices.includes(device)) devices.push(device);
  }
  return devices;
}

/**
 * The identify items: Send Users' changed properties, and `anonymous_id` for each device whose
 * anonymous activity is to be merged into this person (even with Send Users off: merging on login
 * is what the anonymous option is for). Customer.io takes one `anonymous_id` per identify, so the
 * first device rides on the first identify and each further one gets an identify of its own.
 */
function planIdentify(input: PlanInput, identifierValue: string | number | null, result: PlanResult): void {
  const { event } = input;
  const update = userUpdate(input, identifierValue);
  const merges = devicesToMerge(input, identifierValue);
  const wantsIdentify = update !== undefined && (Object.keys(update.changed).length > 0 || update.evenWithoutAttributes);
  if (!wantsIdentify && merges.length === 0) return;

  const [firstMerge, ...moreMerges] = merges;
  const mapped = mapUserUpdateToItems(
    {
      identifierValue,
      changed: update?.changed ?? {},
      processedAt: input.now,
      evenWithoutAttributes: update?.evenWithoutAttributes ?? false,
      ...(firstMerge === undefined ? {} : { anonymousId: firstMerge }),
    },
    mappingOptions(input.sync),
  );
  if (!mapped.ok) {
    result.outcomes.push({ kind: 'discarded', action: 'identify', reason: mapped.reason, adjustments: mapped.adjustments });
    return;
  }
  if (mapped.items.length === 0) {
    const reason = "no attribute is left to send within Customer.io's limits";
    result.outcomes.push({ kind: 'discarded', action: 'identify', reason, adjustments: mapped.adjustments });
    return;
  }
  mapped.items.forEach((item, index) => {
    result.outcomes.push({ kind: 'delivery', action: 'identify', item, adjustments: index === 0 ? mapped.adjustments : [] });
  });
  if (update?.firstForPerson === true) result.person = { identified: true };
  const merged = firstMerge === undefined ? [] : [firstMerge];
  for (const device of moreMerges) {
    const extra = mapUserUpdateToItems({ identifierValue, changed: {}, processedAt: input.now, anonymousId: device }, mappingOptions(input.sync));
    if (!extra.ok || extra.items.length === 0) continue;
    for (const item of extra.items) result.outcomes.push({ kind: 'delivery', action: 'identify', item, adjustments: extra.adjustments });
    merged.push(device);
  }
  if (event.deviceId !== null && merged.includes(event.deviceId)) result.anonymousDevice = 'merged';
  const linked = merged.filter((device) => device !== event.deviceId);
  if (linked.length > 0) result.mergedDevices = linked;
}

/** The event item, if Send Events selects the event: filtered, addressed, with the selected properties. */
function planEvent(input: PlanInput, identifierValue: string | number | null, result: PlanResult): void {
  const { sync, event } = input;
  if (isUserUpdateEventType(event.eventType)) return;
  if (!sync.send_events.enabled) {
    result.outcomes.push({ kind: 'filtered_out', reason: FILTERED_OUT_SEND_EVENTS_OFF });
    return;
  }
  const filterable = filterableEvent(event);
  if (selectEventRow(sync.send_events.events, filterable) === undefined) {
    result.outcomes.push({ kind: 'filtered_out', reason: FILTERED_OUT_NO_ROW });
    return;
  }
  const mapped = mapEventToItem(
    {
      projectId: event.projectId,
      insertId: event.insertId,
      deviceId: event.deviceId,
      userId: event.userId,
      eventType: event.eventType,
      time: event.time,
      attributes: selectEventAttributes(sync.send_events.properties, filterable.eventProperties, event.userProperties),
    },
    { identifierValue, sendAnonymous: sync.send_events.anonymous },
    mappingOptions(sync),
  );
  if (!mapped.ok) {
    const kind = mapped.tooLarge === true ? 'unsendable' : 'discarded';
    result.outcomes.push({ kind, action: 'event', reason: mapped.reason, adjustments: mapped.adjustments });
    return;
  }
  result.outcomes.push({ kind: 'delivery', action: 'event', item: mapped.item, adjustments: mapped.adjustments });
  if ('anonymous_id' in mapped.item.identifiers) result.anonymousDevice = 'pending';
}

/**
 * What one sync sends for one accepted event: at most the identify item(s) Send Users (or an
 * anonymous merge) calls for, then the event item Send Events selects. Pure: the caller passes the
 * sync's state for the person and the device, stores the returned state, and writes one delivery
 * per `delivery` outcome in the ingest transaction.
 */
export function planDeliveries(input: PlanInput): PlanResult {
  const identifierValue = resolveIdentifier(input.sync.identifier, input.event);
  const result: PlanResult = { outcomes: [] };
  const previous = identifierValue === null ? previousIdentifier(input.sync.identifier, input.event.changes) : null;
  if (previous !== null) planRemovedIdentifier(input, previous, result);
  else planIdentify(input, identifierValue, result);
  planEvent(input, identifierValue, result);
  return result;
}
