/**
 * The Track API v2 operations ampstream sends (see ../shared/reference/customerio.md §4.2).
 * Only the person operations the mapping produces are modelled; every field is plain JSON.
 */

/** Exactly one key: how Customer.io finds the person. `anonymous_id` is for anonymous events. */
export type PersonIdentifiers = { id: string } | { email: string } | { cio_id: string } | { anonymous_id: string };

export interface PersonEventItem {
  type: 'person';
  action: 'event';
  identifiers: PersonIdentifiers;
  name: string;
  /** A ULID: Customer.io drops an event whose id it has already seen. */
  id: string;
  /** Unix seconds. */
  timestamp: number;
  attributes: Record<string, unknown>;
}

export interface PersonIdentifyItem {
  type: 'person';
  action: 'identify';
  identifiers: Exclude<PersonIdentifiers, { anonymous_id: string }>;
  /** Unix seconds: when ampstream processed the update (Customer.io ignores older updates). */
  timestamp: number;
  attributes: Record<string, unknown>;
}

export type TrackItem = PersonEventItem | PersonIdentifyItem;

/** A Customer.io workspace as a sync configures it. */
export type TrackRegion = 'us' | 'eu';

export interface TrackWorkspace {
  siteId: string;
  apiKey: string;
  region: TrackRegion;
}
