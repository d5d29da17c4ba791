import { isPlainObject, setOwn, type JsonObject } from '../amplitude/plain-data.js';
import type { IdentifierMode } from './options.js';

/** How a call names a person: the kind comes from the v2 key or the v1 path's shape. */
export interface PersonAddress {
  kind: 'id' | 'email' | 'cio_id';
  value: string;
}

export interface StoredPerson {
  cio_id: string;
  id: string | null;
  email: string | null;
  attributes: JsonObject;
  anonymous_ids: string[];
  /** The newest update `timestamp` applied (unix s); older ones are ignored. */
  last_update_timestamp: number | null;
}

export type EventType = 'event' | 'page' | 'screen';

export interface StoredEvent {
  event_id: string | null;
  type: EventType;
  name: string;
  /** Unix seconds: as sent, or the receive time when missing or not an integer. */
  timestamp: number;
  received_at: number;
  data: JsonObject;
  /** Only events from the last 72 hours can trigger campaigns. */
  can_trigger: boolean;
  /** A timestamp this large is probably milliseconds sent by mistake. */
  suspected_milliseconds: boolean;
  anonymous_id: string | null;
  /** When the event was attached to a person through its anonymous_id. */
  merged_at: number | null;
}

export type ActivityKind =
  | 'attribute_update_failure'
  | 'failed_attribute_change'
  | 'stale_update_ignored'
  | 'unknown_cio_id'
  | 'duplicate_event_ignored'
  | 'event_dropped'
  | 'anonymous_merge'
  | 'person_deleted';

export interface ActivityEntry {
  at: number;
  kind: ActivityKind;
  detail: string;
  cio_id: string | null;
}

export interface EventInput {
  eventId: string | null;
  type: EventType;
  name: string;
  timestamp: unknown;
  data: JsonObject;
}

export type EventTarget = { person: PersonAddress } | { anonymousId: string };

const HOUR_S = 3600;
const TRIGGER_WINDOW_S = 72 * HOUR_S;
const MERGE_WINDOW_S = 30 * 24 * HOUR_S;
const SUSPECTED_MS_THRESHOLD = 1e11;
/** Keys of an identify that steer the call and are never stored as attributes. */
const CONTROL_KEYS: ReadonlySet<string> = new Set(['_update', '_timestamp', 'cio_relationships', 'id', 'email', 'anonymous_id']);
const SUBSCRIPTION_KEY = 'cio_subscription_preferences';

/** `true` in any letter case, `1` and `"1"` mean unsubscribed; anything else subscribed (reference §3.2). */
export function isUnsubscribedValue(value: unknown): boolean {
  if (value === true || value === 1 || value === '1') return true;
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

function mergeObjects(target: JsonObject, source: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const key of Object.keys(source)) {
    const value = source[key];
    const current = out[key];
    setOwn(out, key, isPlainObject(value) && isPlainObject(current) ? mergeObjects(current, value) : value);
  }
  return out;
}

function setPath(target: JsonObject, path: readonly string[], value: unknown): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return target;
  const out: JsonObject = { ...target };
  const child = out[head];
  setOwn(out, head, rest.length === 0 ? value : setPath(isPlainObject(child) ? child : {}, rest, value));
  return out;
}

/** One workspace's people, events and activity log. Every method is synchronous and never throws on data. */
export class WorkspaceState {
  private readonly people = new Map<string, StoredPerson>();
  private readonly byId = new Map<string, string>();
  private readonly byEmail = new Map<string, string>();
  private readonly anonymousOwner = new Map<string, string>();
  private readonly events = new Map<string, StoredEvent[]>();
  private readonly anonymousEvents = new Map<string, StoredEvent[]>();
  private readonly seenEventIds = new Set<string>();
  private readonly activity: ActivityEntry[] = [];
  private cioCounter = 0;

  constructor(
    private readonly mode: IdentifierMode,
    private readonly now: () => number,
    private readonly eventsCreatePeople: boolean,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private log(kind: ActivityKind, detail: string, person?: StoredPerson): void {
    this.activity.push({ at: this.now(), kind, detail, cio_id: person?.cio_id ?? null });
  }

  /** Whether an email-shaped value names an email in this workspace. */
  get emailIsIdentifier(): boolean {
    return this.mode !== 'id';
  }

  find(address: PersonAddress): StoredPerson | undefined {
    const cioId =
      address.kind === 'cio_id'
        ? address.value
        : address.kind === 'email'
          ? this.byEmail.get(address.value.toLowerCase())
          : this.byId.get(address.value);
    return cioId === undefined ? undefined : this.people.get(cioId);
  }

  private create(address: PersonAddress): StoredPerson {
    this.cioCounter++;
    const person: StoredPerson = {
      cio_id: (0xa3000000 + this.cioCounter).toString(16),
      id: null,
      email: null,
      attributes: {},
      anonymous_ids: [],
      last_update_timestamp: null,
    };
    this.people.set(person.cio_id, person);
    if (address.kind !== 'cio_id') this.setIdentifier(person, address.kind, address.value, false);
    if (this.mode === 'email' && person.id === null) this.setIdentifier(person, 'id', `generated-${person.cio_id}`, false);
    return person;
  }

  /** Gives a person an id or email unless someone else holds it or it would change a set value. */
  private setIdentifier(person: StoredPerson, kind: 'id' | 'email', value: string, allowChange: boolean): void {
    const index = kind === 'id' ? this.byId : this.byEmail;
    const key = kind === 'id' ? value : value.toLowerCase();
    const current = person[kind];
    if (current !== null && (kind === 'id' ? current : current.toLowerCase()) === key) return;
    const holder = index.get(key);
    if (holder !== undefined && holder !== person.cio_id) {
      this.log('attribute_update_failure', `${kind} "${value}" already belongs to person ${holder}`, person);
      return;
    }
    if (current !== null && !allowChange) {
      this.log('attribute_update_failure', `${kind} is "${current}"; changing it needs the person addressed by cio_id`, person);
      return;
    }
    if (current !== null) index.delete(kind === 'id' ? current : current.toLowerCase());
    index.set(key, person.cio_id);
    person[kind] = value;
  }

  /**
   * Identify (upsert) with the resolution rules of reference §2.4: update the addressed person;
   * else adopt a person a body identifier names; else create (unless `_update`). Updates whose
   * `timestamp` is older than the newest applied one are ignored. Returns what happened.
   */
  identify(address: PersonAddress, attributes: JsonObject, meta: { timestamp: number | null; updateOnly: boolean }): 'created' | 'updated' | 'ignored' {
    const bodyId = typeof attributes.id === 'string' && attributes.id !== '' ? attributes.id : undefined;
    const bodyEmail = this.emailIsIdentifier && typeof attributes.email === 'string' && attributes.email !== '' ? attributes.email : undefined;
    let person = this.find(address);
    if (person === undefined && address.kind === 'cio_id') {
      this.log('unknown_cio_id', `identify for unknown cio_id ${address.value} dropped`);
      return 'ignored';
    }
    let adopted = false;
    if (person === undefined) {
      person = (bodyId && this.find({ kind: 'id', value: bodyId })) || (bodyEmail && this.find({ kind: 'email', value: bodyEmail })) || undefined;
      adopted = person !== undefined;
    }
    let created = false;
    if (person === undefined) {
      if (meta.updateOnly) {
        this.log('failed_attribute_change', `_update for ${address.kind} "${address.value}", who does not exist`);
        return 'ignored';
      }
      person = this.create(address);
      created = true;
      if (!Object.prototype.hasOwnProperty.call(attributes, 'created_at')) setOwn(person.attributes, 'created_at', this.nowSeconds());
    } else if (meta.timestamp !== null && person.last_update_timestamp !== null && meta.timestamp < person.last_update_timestamp) {
      this.log('stale_update_ignored', `update with timestamp ${meta.timestamp} is older than ${person.last_update_timestamp}`, person);
      return 'ignored';
    }
    if (adopted && address.kind !== 'cio_id') this.setIdentifier(person, address.kind, address.value, false);
    const canChange = address.kind === 'cio_id';
    if (bodyId !== undefined) this.setIdentifier(person, 'id', bodyId, canChange);
    if (bodyEmail !== undefined) this.setIdentifier(person, 'email', bodyEmail, canChange);
    if (!this.emailIsIdentifier && typeof attributes.email === 'string') setOwn(person.attributes, 'email', attributes.email);
    this.applyAttributes(person, attributes);
    if (typeof attributes.anonymous_id === 'string' && attributes.anonymous_id !== '') this.linkAnonymousId(person, attributes.anonymous_id);
    if (meta.timestamp !== null) person.last_update_timestamp = Math.max(person.last_update_timestamp ?? meta.timestamp, meta.timestamp);
    return created ? 'created' : 'updated';
  }

  /** Shallow merge; `""` or `null` removes; special keys follow their own rules. */
  private applyAttributes(person: StoredPerson, attributes: JsonObject): void {
    for (const key of Object.keys(attributes)) {
      if (CONTROL_KEYS.has(key)) continue;
      const value = attributes[key];
      if (key === 'unsubscribed') {
        setOwn(person.attributes, key, isUnsubscribedValue(value));
      } else if (key === SUBSCRIPTION_KEY && isPlainObject(value)) {
        const current = person.attributes[SUBSCRIPTION_KEY];
        setOwn(person.attributes, key, mergeObjects(isPlainObject(current) ? current : {}, value));
      } else if (key.startsWith(`${SUBSCRIPTION_KEY}.`)) {
        const current = person.attributes[SUBSCRIPTION_KEY];
        setOwn(person.attributes, SUBSCRIPTION_KEY, setPath(isPlainObject(current) ? current : {}, key.split('.').slice(1), value));
      } else if (value === '' || value === null) {
        delete person.attributes[key];
      } else {
        setOwn(person.attributes, key, value);
      }
    }
  }

  /** Links an anonymous_id to a person and attaches its events from the last 30 days. */
  private linkAnonymousId(person: StoredPerson, anonymousId: string): void {
    const owner = this.anonymousOwner.get(anonymousId);
    if (owner !== undefined && owner !== person.cio_id) {
      this.log('attribute_update_failure', `anonymous_id "${anonymousId}" already belongs to person ${owner}`, person);
      return;
    }
    this.anonymousOwner.set(anonymousId, person.cio_id);
    if (!person.anonymous_ids.includes(anonymousId)) person.anonymous_ids.push(anonymousId);
    const pending = this.anonymousEvents.get(anonymousId) ?? [];
    const cutoff = this.nowSeconds() - MERGE_WINDOW_S;
    const merged = pending.filter((event) => event.timestamp >= cutoff);
    const kept = pending.filter((event) => event.timestamp < cutoff);
    if (kept.length === 0) this.anonymousEvents.delete(anonymousId);
    else this.anonymousEvents.set(anonymousId, kept);
    if (merged.length === 0) return;
    const mergedAt = this.now();
    const list = this.eventList(person.cio_id);
    for (const event of merged) list.push({ ...event, merged_at: mergedAt, can_trigger: this.nowSeconds() - event.timestamp <= TRIGGER_WINDOW_S });
    this.log('anonymous_merge', `${merged.length} anonymous event(s) of "${anonymousId}" attached`, person);
  }

  private eventList(cioId: string): StoredEvent[] {
    let list = this.events.get(cioId);
    if (list === undefined) {
      list = [];
      this.events.set(cioId, list);
    }
    return list;
  }

  /** Stores an event unless its id was seen before or its person cannot be found or made. */
  recordEvent(target: EventTarget, input: EventInput): 'stored' | 'duplicate' | 'dropped' {
    if (input.eventId !== null && this.seenEventIds.has(input.eventId)) {
      this.log('duplicate_event_ignored', `event id ${input.eventId} ("${input.name}") was already received`);
      return 'duplicate';
    }
    const receivedAt = this.nowSeconds();
    const timestamp = typeof input.timestamp === 'number' && Number.isInteger(input.timestamp) && input.timestamp > 0 ? input.timestamp : receivedAt;
    const event: StoredEvent = {
      event_id: input.eventId,
      type: input.type,
      name: input.name,
      timestamp,
      received_at: receivedAt,
      data: input.data,
      can_trigger: receivedAt - timestamp <= TRIGGER_WINDOW_S,
      suspected_milliseconds: timestamp >= SUSPECTED_MS_THRESHOLD,
      anonymous_id: 'anonymousId' in target ? target.anonymousId : null,
      merged_at: null,
    };
    let owner: StoredPerson | undefined;
    if ('anonymousId' in target) {
      const ownerId = this.anonymousOwner.get(target.anonymousId);
      owner = ownerId === undefined ? undefined : this.people.get(ownerId);
      if (owner === undefined) {
        const list = this.anonymousEvents.get(target.anonymousId) ?? [];
        list.push(event);
        this.anonymousEvents.set(target.anonymousId, list);
      }
    } else {
      owner = this.find(target.person);
      if (owner === undefined && target.person.kind !== 'cio_id' && this.eventsCreatePeople) owner = this.create(target.person);
      if (owner === undefined) {
        this.log('event_dropped', `event "${input.name}" for unknown ${target.person.kind} "${target.person.value}" dropped`);
        return 'dropped';
      }
    }
    if (input.eventId !== null) this.seenEventIds.add(input.eventId);
    if (owner !== undefined) this.eventList(owner.cio_id).push(event);
    return 'stored';
  }

  /** Removes a person, their events and links; unknown people are fine. */
  deletePerson(address: PersonAddress): void {
    const person = this.find(address);
    if (person === undefined) return;
    this.people.delete(person.cio_id);
    if (person.id !== null) this.byId.delete(person.id);
    if (person.email !== null) this.byEmail.delete(person.email.toLowerCase());
    for (const anonymousId of person.anonymous_ids) this.anonymousOwner.delete(anonymousId);
    this.events.delete(person.cio_id);
    this.log('person_deleted', `person ${person.cio_id} deleted`, person);
  }

  listPeople(): Array<StoredPerson & { event_count: number }> {
    return [...this.people.values()].map((person) => ({ ...structuredClone(person), event_count: this.events.get(person.cio_id)?.length ?? 0 }));
  }

  eventsOf(person: StoredPerson): StoredEvent[] {
    return structuredClone(this.events.get(person.cio_id) ?? []);
  }

  listAnonymousEvents(): Record<string, StoredEvent[]> {
    return Object.fromEntries(structuredClone([...this.anonymousEvents.entries()]));
  }

  listActivity(): ActivityEntry[] {
    return structuredClone(this.activity);
  }
}
