import { GROUP_IDENTIFY_EVENT_TYPE, type AcceptedEvent } from '../amplitude/event-validation.js';
import { getOwn, isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import { isUserPropertyOperation } from '../amplitude/user-property-operations.js';
import type { CatalogKind, CatalogName } from '../store/types.js';
import { isUserUpdateEventType } from '../sync/event-filter.js';

/** The names one stored event adds to its project's catalog. */
export interface EventCatalogNames {
  /** Absent for `$identify` and `$groupidentify`: user and group updates, not events to pick. */
  eventType: string | undefined;
  eventProperties: readonly string[];
  userProperties: readonly string[];
}

const NONE: readonly string[] = [];

/**
 * The catalog names of one event (pure):
 * - its event type and the top-level keys of `event_properties`, except for `$identify` and
 *   `$groupidentify` (syncs refuse them as event types and never send them as events);
 * - the user property names its `user_properties` name (`userPropertyNames`), except on
 *   `$groupidentify`, whose `user_properties` are group properties. Identify API identifications
 *   are `$identify` events, so they add user property names only.
 */
export function eventCatalogNames(event: AcceptedEvent): EventCatalogNames {
  const userUpdate = isUserUpdateEventType(event.eventType);
  const eventProperties = userUpdate ? undefined : getOwn(event.payload, 'event_properties');
  return {
    eventType: userUpdate ? undefined : event.eventType,
    eventProperties: isPlainObject(eventProperties) ? Object.keys(eventProperties) : NONE,
    userProperties:
      event.userProperties === null || event.eventType === GROUP_IDENTIFY_EVENT_TYPE ? NONE : userPropertyNames(event.userProperties),
  };
}

/**
 * The property names a `user_properties` payload names (pure): plain keys, and the keys of every
 * operation's operand, `$unset`'s included (a name being removed was still seen; `$unset` may also
 * list the names). `$clearAll` names none.
 */
export function userPropertyNames(update: JsonObject): string[] {
  const names: string[] = [];
  for (const key of Object.keys(update)) {
    if (!isUserPropertyOperation(key)) {
      names.push(key);
      continue;
    }
    const operand = update[key];
    if (isPlainObject(operand)) names.push(...Object.keys(operand));
    else if (key === '$unset' && Array.isArray(operand)) {
      for (const name of operand) if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

type SeenNames = Record<CatalogKind, Map<string, number>>;

/**
 * Gathers the catalog names of a batch's stored events: each (project, kind, name) once, with the
 * latest time it was seen, so the store looks each name up once per commit.
 */
export class CatalogCollector {
  private readonly projects = new Map<number, SeenNames>();

  add(projectId: number, seenAt: number, names: EventCatalogNames): void {
    let seen = this.projects.get(projectId);
    if (seen === undefined) {
      seen = { event_type: new Map(), event_property: new Map(), user_property: new Map() };
      this.projects.set(projectId, seen);
    }
    if (names.eventType !== undefined) note(seen.event_type, names.eventType, seenAt);
    for (const name of names.eventProperties) note(seen.event_property, name, seenAt);
    for (const name of names.userProperties) note(seen.user_property, name, seenAt);
  }

  names(): CatalogName[] {
    const names: CatalogName[] = [];
    for (const [projectId, seen] of this.projects) {
      for (const kind of Object.keys(seen) as CatalogKind[]) {
        for (const [name, seenAt] of seen[kind]) names.push({ projectId, kind, name, seenAt });
      }
    }
    return names;
  }
}

function note(seen: Map<string, number>, name: string, seenAt: number): void {
  const before = seen.get(name);
  if (before === undefined || before < seenAt) seen.set(name, seenAt);
}
