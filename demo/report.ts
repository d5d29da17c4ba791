/**
 * What the demo reports: what the SDK sent, what ampstream stored and delivered, what the
 * Customer.io simulator holds, and checks that say exactly which numbers must be equal.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DeliveryCounts } from '../src/store/delivery-types.js';
import { CHECKED_ATTRIBUTES, type DatasetExpectations } from './dataset.js';
import type { ObservedFigures } from './observed.js';
import type { SdkSendResult } from './sdk-sender.js';

/** One person at the simulator: the events attached to it and the checked attributes. */
export interface SimulatorPerson {
  events: number;
  attributes: Record<string, unknown>;
}

export interface SimulatorFigures {
  people: number;
  /** By the person's id (the user id). */
  byPerson: Record<string, SimulatorPerson>;
  eventsOnPeople: number;
  /** People with at least one anonymous_id merged into them. */
  mergedPeople: number;
  /** Events still unattached, kept by anonymous_id. */
  anonymousEvents: number;
  anonymousDevices: number;
  operationsAccepted: number;
  operationsRejected: number;
  requests: number;
}

export interface DemoFigures {
  sdk: SdkSendResult;
  stored: { events: number; identifies: number };
  deliveries: DeliveryCounts;
  simulator: SimulatorFigures;
  observed: ObservedFigures;
}

interface SimPerson {
  id: string | null;
  /** Customer.io keeps the email attribute as an identifier beside the other attributes. */
  email: string | null;
  anonymous_ids: string[];
  event_count: number;
  attributes: Record<string, unknown>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Reads the simulator's inspection API (`/_sim/people`, `/_sim/anonymous-events`, `/_sim/counters`). */
export async function readSimulator(simulatorUrl: string, siteId: string): Promise<SimulatorFigures> {
  const site = encodeURIComponent(siteId);
  const { people } = await getJson<{ people: SimPerson[] }>(`${simulatorUrl}/_sim/people?site_id=${site}`);
  const anonymous = await getJson<{ anonymous_events: Record<string, unknown[]> }>(`${simulatorUrl}/_sim/anonymous-events?site_id=${site}`);
  const counters = await getJson<{ requests: number; workspaces: Record<string, { operations_accepted: number; operations_rejected: number }> }>(
    `${simulatorUrl}/_sim/counters`,
  );
  const byPerson: Record<string, SimulatorPerson> = {};
  for (const person of people) {
    const all: Record<string, unknown> = { ...person.attributes, ...(person.email === null ? {} : { email: person.email }) };
    const attributes = Object.fromEntries(CHECKED_ATTRIBUTES.filter((name) => name in all).map((name) => [name, all[name]]));
    byPerson[person.id ?? '(no id)'] = { events: person.event_count, attributes };
  }
  const workspace = counters.workspaces[siteId];
  return {
    people: people.length,
    byPerson,
    eventsOnPeople: people.reduce((sum, p) => sum + p.event_count, 0),
    mergedPeople: people.filter((p) => p.anonymous_ids.length > 0).length,
    anonymousEvents: Object.values(anonymous.anonymous_events).reduce((sum, list) => sum + list.length, 0),
    anonymousDevices: Object.keys(anonymous.anonymous_events).length,
    operationsAccepted: workspace?.operations_accepted ?? 0,
    operationsRejected: workspace?.operations_rejected ?? 0,
    requests: counters.requests,
  };
}

export interface Check {
  holds: boolean;
  text: string;
}

const n = (value: number) => value.toLocaleString('en-US');

function equal(what: string, left: number, right: number): Check {
  return { holds: left === right, text: `${what}: ${n(left)} ${left === right ? '=' : '≠'} ${n(right)}` };
}

/** Holds when `same` holds for every user of the dataset and the simulator has nobody else. */
function everyPerson(what: string, expected: DatasetExpectations, simulator: SimulatorFigures, same: (id: string, person: SimulatorPerson) => boolean): Check {
  const users = Object.keys(expected.eventsByUser);
  const differ = users.filter((id) => {
    const person = simulator.byPerson[id];
    return person === undefined || !same(id, person);
  });
  const strangers = Object.keys(simulator.byPerson).filter((id) => !(id in expected.eventsByUser));
  const wrong = [...differ, ...strangers];
  const detail = wrong.length === 0 ? '' : ` (differ: ${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? ', …' : ''})`;
  return { holds: wrong.length === 0, text: `${what}: ${n(users.length - differ.length)} of ${n(users.length)} users match${detail}` };
}

/** Each check names the two numbers that must be equal. */
export function checkAgreement(figures: DemoFigures, expected: DatasetExpectations): Check[] {
  const { sdk, stored, deliveries, simulator, observed } = figures;
  const eventsAtSimulator = simulator.eventsOnPeople + simulator.anonymousEvents;
  const { summary, scraped } = observed;
  return [
    equal('calls the SDK reports accepted = calls made', sdk.accepted, expected.calls),
    equal('events ampstream stored = calls the SDK had accepted', stored.events, sdk.accepted),
    equal('deliveries delivered = operations the simulator accepted', deliveries.delivered, simulator.operationsAccepted),
    equal('events at the simulator (on people + anonymous) = events tracked (anonymous is on: none lacks an identifier)', eventsAtSimulator, expected.tracks),
    everyPerson(
      "events on each person at the simulator = that user's tracked events, anonymous browsing before login included",
      expected,
      simulator,
      (id, person) => person.events === expected.eventsByUser[id],
    ),
    everyPerson(
      `${CHECKED_ATTRIBUTES.join(', ')} of each person at the simulator = the user's identifies applied in order`,
      expected,
      simulator,
      (id, person) => isDeepStrictEqual(person.attributes, expected.attributesByUser[id]),
    ),
    equal('people at the simulator = users who logged in', simulator.people, expected.knownUsers),
    equal('people with a merged device = users who browsed anonymously before logging in', simulator.mergedPeople, expected.mergedDevices),
    equal('anonymous events left unattached = events of devices that never logged in', simulator.anonymousEvents, expected.anonymousEvents),
    equal('dead + discarded + pending deliveries = 0', deliveries.dead + deliveries.discarded + deliveries.pending, 0),
    equal('operations the simulator rejected = 0', simulator.operationsRejected, 0),
    equal('metrics summary API: delivered = deliveries delivered', summary.eventsDelivered, deliveries.delivered),
    equal(
      'delivered + not delivered + discarded + pending (summary API and counts) = planned (time series)',
      summary.eventsDelivered + summary.eventsNotDelivered + summary.eventsDiscarded + deliveries.pending,
      observed.planned,
    ),
    equal(
      '/metrics ampstream_deliveries (pending + delivered + dead + discarded) = planned',
      scraped.pending + scraped.delivered + scraped.dead + scraped.discarded,
      observed.planned,
    ),
    equal(`trace of ${observed.trace.user}: events whose every sync ends delivered = events traced`, observed.trace.delivered, observed.trace.events),
  ];
}

/** The report: the figures side by side, then the checks and one agreement line. */
export function formatReport(figures: DemoFigures, expected: DatasetExpectations, checks: readonly Check[]): string {
  const { sdk, stored, deliveries, simulator } = figures;
  const refused = Object.entries(sdk.refused).map(([reason, count]) => `    refused ${n(count)}: ${reason}`);
  const eventDeliveries = simulator.eventsOnPeople + simulator.anonymousEvents;
  const failed = checks.filter((c) => !c.holds).length;
  return [
    'sent through @amplitude/analytics-node',
    `  calls          ${n(sdk.calls)} (${n(expected.tracks)} events, ${n(expected.identifies)} identifies), accepted ${n(sdk.accepted)}`,
    ...refused,
    'ampstream',
    `  stored         ${n(stored.events)} events (${n(stored.identifies)} of them $identify)`,
    `  deliveries     delivered ${n(deliveries.delivered)}, dead ${n(deliveries.dead)}, discarded ${n(deliveries.discarded)}, pending ${n(deliveries.pending)}`,
    'Customer.io simulator',
    `  operations     accepted ${n(simulator.operationsAccepted)} (${n(eventDeliveries)} events, ${n(simulator.operationsAccepted - eventDeliveries)} identifies), rejected ${n(simulator.operationsRejected)}, in ${n(simulator.requests)} requests`,
    `  people         ${n(simulator.people)}, ${n(simulator.mergedPeople)} of them with their anonymous browsing merged in`,
    `  events         ${n(simulator.eventsOnPeople)} on people, ${n(simulator.anonymousEvents)} anonymous (from ${n(simulator.anonymousDevices)} devices)`,
    'checks',
    ...checks.map((c) => `  ${c.holds ? 'ok  ' : 'FAIL'} ${c.text}`),
    failed === 0 ? `agreement: all ${checks.length} checks hold` : `agreement: ${failed} of ${checks.length} checks FAILED`,
  ].join('\n');
}
