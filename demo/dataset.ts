/**
 * The demo's synthetic product analytics: people with sessions of page views and feature use,
 * identifies with several user-property operations, purchases with revenue fields, and devices
 * that browse anonymously before logging in. Pure and seeded: the same options give the same
 * dataset, call for call (only `now` moves the times).
 */
import { SeededRandom } from './seeded-random.js';

export interface DatasetOptions {
  users: number;
  seed: number;
  /** Event times fall in the two days before this (ms). */
  now: number;
}

export type PropertyValue = string | number | boolean | string[];

/** One user-property operation of an identify, as the SDK's Identify builds it. */
export interface IdentifyOperation {
  op: 'set' | 'setOnce' | 'add' | 'append';
  property: string;
  value: PropertyValue;
}

/** Top-level event fields (the SDK's EventOptions); `user_id` is absent while the device is anonymous. */
export interface EventFields {
  user_id?: string;
  device_id: string;
  time: number;
  session_id: number;
  platform: string;
  os_name: string;
  country: string;
  city: string;
  language: string;
  app_version: string;
  price?: number;
  quantity?: number;
  revenue?: number;
  productId?: string;
  revenueType?: string;
}

export type DatasetCall =
  | { kind: 'track'; eventType: string; properties: Record<string, PropertyValue>; fields: EventFields }
  | { kind: 'identify'; operations: IdentifyOperation[]; fields: EventFields };

/**
 * `anonymous`: a visitor who browses and never logs in; `browse_then_login`: browses anonymously,
 * then signs up on the same device (Customer.io should merge that browsing into the person);
 * `returning`: logs in from the start.
 */
export type Persona = 'anonymous' | 'browse_then_login' | 'returning';

export interface DatasetPerson {
  persona: Persona;
  userId: string | null;
  deviceId: string;
  /** In the order the app makes them; they must reach ampstream in this order. */
  calls: DatasetCall[];
}

/** What the dataset should become at Customer.io, counted while generating it. */
export interface DatasetExpectations {
  calls: number;
  tracks: number;
  identifies: number;
  /** People with a user id: the people Customer.io should hold. */
  knownUsers: number;
  /** Devices whose anonymous browsing a login should merge into a person. */
  mergedDevices: number;
  /** Events of devices that never log in: they stay anonymous at Customer.io. */
  anonymousEvents: number;
  /** Events per user id, the device's anonymous browsing before login included. */
  eventsByUser: Record<string, number>;
  /** Per user id, the properties of CHECKED_ATTRIBUTES after all its identifies, in order. */
  attributesByUser: Record<string, Record<string, PropertyValue>>;
}

/** Properties whose final value is easy to work out independently: `$set` replaces, `$add` sums. */
export const CHECKED_ATTRIBUTES = ['email', 'first_name', 'plan', 'logins', 'orders'] as const;

/** The checked properties after a person's identifies, applied in order. */
function finalAttributes(calls: readonly DatasetCall[]): Record<string, PropertyValue> {
  const attributes: Record<string, PropertyValue> = {};
  for (const call of calls) {
    if (call.kind !== 'identify') continue;
    for (const { op, property, value } of call.operations) {
      if (!(CHECKED_ATTRIBUTES as readonly string[]).includes(property)) continue;
      if (op === 'set') attributes[property] = value;
      if (op === 'add') attributes[property] = Number(attributes[property] ?? 0) + Number(value);
    }
  }
  return attributes;
}

export interface Dataset {
  people: DatasetPerson[];
  expected: DatasetExpectations;
}

const HOUR = 3_600_000;
const PAGES = [
  { path: '/', title: 'Home' },
  { path: '/pricing', title: 'Pricing' },
  { path: '/features', title: 'Features' },
  { path: '/blog/streaming-events', title: 'Streaming events to Customer.io' },
  { path: '/docs/getting-started', title: 'Getting started' },
  { path: '/customers', title: 'Customers' },
];
const APP_PAGES = ['/app/dashboard', '/app/reports', '/app/settings', '/app/integrations', '/app/billing'];
const FEATURES = ['Dashboard', 'Reports', 'CSV Export', 'Alerts', 'Integrations', 'Team Invites', 'Saved Searches'];
const SEARCHES = ['churn', 'weekly active users', 'retention by plan', 'failed payments', 'onboarding funnel'];
const REFERRERS = ['google', 'newsletter', 'twitter', 'direct', 'partner'];
const PRODUCTS = [
  { id: 'seat-pack-5', price: 49 },
  { id: 'seat-pack-20', price: 179 },
  { id: 'report-addon', price: 19.99 },
  { id: 'priority-support', price: 99 },
];
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const PLACES = [
  { country: 'United States', city: 'Chicago', language: 'English' },
  { country: 'Germany', city: 'Berlin', language: 'German' },
  { country: 'France', city: 'Lyon', language: 'French' },
  { country: 'Brazil', city: 'Recife', language: 'Portuguese' },
  { country: 'Japan', city: 'Osaka', language: 'Japanese' },
];
const PLATFORMS = [
  { platform: 'Web', os_name: 'Chrome' },
  { platform: 'Web', os_name: 'Firefox' },
  { platform: 'iOS', os_name: 'ios' },
  { platform: 'Android', os_name: 'android' },
];

/** Builds one person's calls: sessions in time order, each call stamped by `at()`. */
class PersonBuilder {
  readonly calls: DatasetCall[] = [];
  private clock: number;
  private session = 0;
  userId: string | undefined;

  constructor(
    private readonly random: SeededRandom,
    private readonly base: Omit<EventFields, 'time' | 'session_id' | 'user_id'>,
    start: number,
  ) {
    this.clock = start;
  }

  get now(): number {
    return this.clock;
  }

  startSession(gapMs: number): void {
    this.clock += gapMs;
    this.session = this.clock;
  }

  private fields(extra: Partial<EventFields> = {}): EventFields {
    this.clock += this.random.int(5, 90) * 1000;
    return { ...this.base, ...(this.userId === undefined ? {} : { user_id: this.userId }), time: this.clock, session_id: this.session, ...extra };
  }

  track(eventType: string, properties: Record<string, PropertyValue>, extra: Partial<EventFields> = {}): void {
    this.calls.push({ kind: 'track', eventType, properties, fields: this.fields(extra) });
  }

  identify(operations: IdentifyOperation[]): void {
    this.calls.push({ kind: 'identify', operations, fields: this.fields() });
  }
}

function set(property: string, value: PropertyValue): IdentifyOperation {
  return { op: 'set', property, value };
}

function browse(random: SeededRandom, person: PersonBuilder, referrer: string): void {
  for (let i = random.int(2, 6); i > 0; i--) {
    const page = random.pick(PAGES);
    person.track('Page Viewed', { path: page.path, title: page.title, referrer });
  }
}

/** A logged-in session: pages, features, maybe a search, maybe a purchase and what it changes. */
function appSession(random: SeededRandom, person: PersonBuilder, index: number, state: { plan: string; orders: number }): void {
  if (index > 0) person.identify([{ op: 'add', property: 'logins', value: 1 }, set('last_seen_at', new Date(person.now).toISOString())]);
  for (let i = random.int(2, 6); i > 0; i--) {
    const path = random.pick(APP_PAGES);
    person.track('Page Viewed', { path, title: path.slice(5), referrer: 'app' });
  }
  const used: string[] = [];
  for (let i = random.int(1, 4); i > 0; i--) {
    const feature = random.pick(FEATURES);
    used.push(feature);
    person.track('Feature Used', { feature, duration_ms: random.int(200, 90_000), success: random.chance(0.92) });
  }
  person.identify([{ op: 'append', property: 'features_used', value: used }]);
  if (random.chance(0.3)) {
    const query = random.pick(SEARCHES);
    person.track('Search Performed', { query, results: random.int(0, 40), tags: query.split(' ') });
  }
  if (random.chance(0.22)) {
    const product = random.pick(PRODUCTS);
    const quantity = random.int(1, 3);
    const revenue = Math.round(product.price * quantity * 100) / 100;
    state.orders++;
    person.track(
      'Order Completed',
      { order_id: `${person.userId}-order-${state.orders}`, items: quantity, currency: 'USD', coupon: random.chance(0.2) ? 'SPRING24' : '' },
      { price: product.price, quantity, revenue, productId: product.id, revenueType: 'purchase' },
    );
    person.identify([
      { op: 'add', property: 'orders', value: 1 },
      { op: 'add', property: 'lifetime_value', value: revenue },
      { op: 'append', property: 'purchased_products', value: product.id },
      set('last_order_at', new Date(person.now).toISOString()),
    ]);
  }
  if (state.plan === 'free' && random.chance(0.08)) {
    person.track('Plan Upgraded', { from: 'free', to: 'pro' });
    person.identify([set('plan', 'pro')]);
    state.plan = 'pro';
  }
}

function login(random: SeededRandom, person: PersonBuilder, index: number, referrer: string, plan: string): void {
  const signup = new Date(person.now - random.int(0, 400) * 24 * HOUR).toISOString().slice(0, 10);
  person.identify([
    set('email', `user${String(index).padStart(5, '0')}@example.com`),
    set('first_name', random.pick(FIRST_NAMES)),
    set('plan', plan),
    { op: 'setOnce', property: 'signed_up_on', value: signup },
    { op: 'setOnce', property: 'signup_source', value: referrer },
    { op: 'add', property: 'logins', value: 1 },
  ]);
}

export function generateDataset(options: DatasetOptions): Dataset {
  const random = new SeededRandom(options.seed);
  const people: DatasetPerson[] = [];
  const expected: DatasetExpectations = {
    calls: 0,
    tracks: 0,
    identifies: 0,
    knownUsers: 0,
    mergedDevices: 0,
    anonymousEvents: 0,
    eventsByUser: {},
    attributesByUser: {},
  };
  const earliest = options.now - 48 * HOUR;
  for (let index = 1; index <= options.users; index++) {
    const roll = random.next();
    const persona: Persona = roll < 0.15 ? 'anonymous' : roll < 0.45 ? 'browse_then_login' : 'returning';
    const id = String(index).padStart(5, '0');
    const deviceId = `demo-device-${id}`;
    const place = random.pick(PLACES);
    const person = new PersonBuilder(random, { device_id: deviceId, ...random.pick(PLATFORMS), ...place, app_version: `3.${random.int(0, 4)}.0` }, earliest);
    const referrer = random.pick(REFERRERS);
    person.startSession(random.int(0, 24 * 60) * 60_000);
    const userId = persona === 'anonymous' ? null : `demo-user-${id}`;
    if (persona !== 'returning') browse(random, person, referrer);
    if (userId !== null) {
      person.userId = userId;
      const state = { plan: persona === 'returning' ? random.pick(['free', 'free', 'pro', 'team']) : 'free', orders: 0 };
      login(random, person, index, referrer, state.plan);
      person.track(persona === 'returning' ? 'Signed In' : 'Signed Up', { method: random.pick(['password', 'google', 'sso']) });
      const sessions = random.int(1, 4);
      for (let s = 0; s < sessions; s++) {
        if (s > 0) person.startSession(random.int(1, 7) * HOUR);
        appSession(random, person, s, state);
      }
    }
    const tracks = person.calls.filter((c) => c.kind === 'track').length;
    expected.calls += person.calls.length;
    expected.tracks += tracks;
    expected.identifies += person.calls.length - tracks;
    if (userId === null) expected.anonymousEvents += tracks;
    else {
      expected.knownUsers++;
      expected.eventsByUser[userId] = tracks;
      expected.attributesByUser[userId] = finalAttributes(person.calls);
      if (persona === 'browse_then_login') expected.mergedDevices++;
    }
    people.push({ persona, userId, deviceId, calls: person.calls });
  }
  return { people, expected };
}
