import { getOwn, type JsonObject } from '../amplitude/plain-data.js';
import type { SyncIdentifier } from './sync-schema.js';

/** What the identifier is read from. */
export interface IdentifiableEvent {
  /** The stored user id: the one sent, or the user the event's device is linked to. */
  userId: string | null;
  /** The profile after this event's operations. */
  userProperties: JsonObject;
}

/**
 * The Customer.io identifier value of an event for a sync: its user_id, or the named user property
 * of the profile after this event. Null when there is none: a missing property, or one that is not
 * a string or a finite number, or the empty string.
 */
export function resolveIdentifier(identifier: SyncIdentifier, event: IdentifiableEvent): string | number | null {
  return identifierValueOf(identifier.from === 'user_id' ? event.userId : getOwn(event.userProperties, identifier.name));
}

/**
 * The identifier value of a user property's value before this event, when the event changed the
 * identifier property (`changes[name].from`); null when it did not change it, for identifier
 * `user_id`, or when the previous value was no identifier.
 */
export function previousIdentifier(identifier: SyncIdentifier, changes: Record<string, { from?: unknown }> | null): string | number | null {
  if (identifier.from !== 'user_property' || changes === null) return null;
  const change = getOwn(changes as JsonObject, identifier.name) as { from?: unknown } | undefined;
  return change === undefined ? null : identifierValueOf(change.from);
}

/** A value as an identifier: a non-empty string or a finite number; anything else is none. */
function identifierValueOf(value: unknown): string | number | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return null;
}
