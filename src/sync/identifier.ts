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
  const value = identifier.from === 'user_id' ? event.userId : getOwn(event.userProperties, identifier.name);
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return null;
}
