import type { FastifyInstance } from 'fastify';
import { quoteInput } from '../../visible-text.js';
import { AmpstreamError } from '../../errors.js';
import type { SimulatorView } from '../../simulator/server.js';
import type { ActivityEntry, StoredEvent, StoredPerson } from '../../simulator/workspace-state.js';
import { DataTable, SelectWithShowButton } from '../components.js';
import { formatCount, formatTime } from '../format.js';
import { sendPage } from '../html.js';
import { Layout, type PageContext } from '../layout.js';
import { pageContext, type UiDependencies } from '../ui-context.js';

const SHOWN_PEOPLE = 200;
const SHOWN_ACTIVITY = 50;

type ListedPerson = StoredPerson & { event_count: number };
type PersonWithEvents = StoredPerson & { events: StoredEvent[] };

interface SimulatorPageProps {
  context: PageContext;
  simulator: SimulatorView;
  siteId: string;
  people: ListedPerson[];
  person: PersonWithEvents | undefined;
  anonymous: Record<string, StoredEvent[]>;
  activity: ActivityEntry[];
}

/** A JSON value on one line, for attribute and event data cells. */
function compact(value: unknown): string {
  return JSON.stringify(value);
}

function personLink(siteId: string, person: StoredPerson): string {
  return `/ui/simulator?site=${encodeURIComponent(siteId)}&person=${encodeURIComponent(person.cio_id)}`;
}

function EventTable({ caption, events }: { caption: string; events: StoredEvent[] }) {
  return (
    <DataTable caption={caption} head={['Name', 'Type', 'Timestamp', 'Received', 'Data', 'Event id']}>
      {events.map((event, index) => (
        <tr key={`${event.event_id ?? ''}-${index}`}>
          <td>{event.name}</td>
          <td>{event.type}</td>
          {/* the simulator keeps both in Unix seconds, as Customer.io does */}
          <td>{formatTime(event.timestamp * 1000)}</td>
          <td>{formatTime(event.received_at * 1000)}</td>
          <td class="mono">{compact(event.data)}</td>
          <td class="mono">{event.event_id ?? '—'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function SimulatorPage({ context, simulator, siteId, people, person, anonymous, activity }: SimulatorPageProps) {
  const workspace = simulator.workspaces.find((w) => w.siteId === siteId);
  const counters = simulator.counters().workspaces[siteId];
  const anonymousIds = Object.keys(anonymous);
  return (
    <Layout title="Customer.io simulator" section="simulator" context={context}>
      <p>
        This server runs a Customer.io Track API simulator (at <code>{simulator.url}</code>) and delivers to it. Here is what arrived: the
        people and their events, as Customer.io would hold them. The simulator keeps them in memory: a
        restart of the server empties it (the delivery pages still count what was delivered before).
      </p>
      <form method="get" action="/ui/simulator" class="actions">
        <SelectWithShowButton name="site" label="Workspace" options={simulator.workspaces.map((w) => ({ value: w.siteId, label: `${w.siteId} (${w.region.toUpperCase()})` }))} selected={siteId} />
      </form>
      {workspace !== undefined && (
        <section class="panel" aria-labelledby="credentials">
          <h2 id="credentials">Use it in a sync</h2>
          <p>
            Site ID <code>{workspace.siteId}</code>, API key <code>{workspace.apiKey}</code>, region {workspace.region.toUpperCase()} (test keys of the
            simulator, not secrets).
          </p>
        </section>
      )}
      <div class="cards">
        <div class="card">
          <div class="value">{formatCount(people.length)}</div>
          <div class="label">people</div>
        </div>
        <div class="card">
          <div class="value">{formatCount(people.reduce((sum, p) => sum + p.event_count, 0))}</div>
          <div class="label">events of people</div>
        </div>
        <div class="card">
          <div class="value">{formatCount(counters?.requests ?? 0)}</div>
          <div class="label">requests</div>
        </div>
        <div class="card">
          <div class="value">{formatCount(counters?.operations_rejected ?? 0)}</div>
          <div class="label">items refused</div>
        </div>
        <div class="card">
          <div class="value">{formatCount(counters?.rate_limited ?? 0)}</div>
          <div class="label">429s</div>
        </div>
      </div>
      {person !== undefined && (
        <section class="panel panel-highlight" aria-labelledby="person">
          <h2 id="person">Person {person.id ?? person.email ?? person.cio_id}</h2>
          <p>
            cio_id <code>{person.cio_id}</code>
            {person.email !== null && (
              <span>
                , email <code>{person.email}</code>
              </span>
            )}
            {person.anonymous_ids.length > 0 && <span>, anonymous ids {person.anonymous_ids.join(', ')}</span>}
          </p>
          <h3>Attributes</h3>
          <pre class="json">{JSON.stringify(person.attributes, null, 2)}</pre>
          <EventTable caption={`Events of this person (${person.events.length})`} events={person.events} />
        </section>
      )}
      <DataTable caption={`People (${people.length > SHOWN_PEOPLE ? `first ${SHOWN_PEOPLE} of ${formatCount(people.length)}` : people.length})`} head={['Id', 'Email', 'cio_id', 'Attributes', 'Events']}>
        {people.slice(0, SHOWN_PEOPLE).map((p) => (
          <tr key={p.cio_id}>
            <td>
              <a href={personLink(siteId, p)}>{p.id ?? '(no id)'}</a>
            </td>
            <td>{p.email ?? '—'}</td>
            <td class="mono">{p.cio_id}</td>
            <td class="mono">{compact(p.attributes)}</td>
            <td class="num">{formatCount(p.event_count)}</td>
          </tr>
        ))}
      </DataTable>
      {people.length === 0 && <p>No people yet: create a sync with this workspace's credentials and send events.</p>}
      {anonymousIds.length > 0 && (
        <EventTable
          caption={`Anonymous events not merged into a person (${anonymousIds.length} anonymous ids)`}
          events={anonymousIds.flatMap((id) => anonymous[id] ?? [])}
        />
      )}
      <DataTable caption="Activity: what the simulator refused or ignored (newest first)" head={['At', 'Kind', 'Detail', 'cio_id']}>
        {activity.map((entry, index) => (
          <tr key={index}>
            <td>{formatTime(entry.at)}</td>
            <td>{entry.kind}</td>
            <td>{entry.detail}</td>
            <td class="mono">{entry.cio_id ?? '—'}</td>
          </tr>
        ))}
      </DataTable>
    </Layout>
  );
}

/** `/ui/simulator` (`?site=`, `?person=cio_id`): only when the server runs the simulator in-process. */
export function simulatorPage(app: FastifyInstance, deps: UiDependencies): void {
  app.get<{ Querystring: { site?: string; person?: string } }>('/simulator', async (request, reply) => {
    const simulator = deps.simulator;
    if (simulator === undefined) {
      throw new AmpstreamError('not_found', 'The simulator is not running in this server: start it with `ampstream serve --simulator`.');
    }
    const siteId = request.query.site ?? (simulator.workspaces[0]?.siteId as string);
    if (!simulator.workspaces.some((w) => w.siteId === siteId)) throw new AmpstreamError('not_found', `The simulator has no workspace ${quoteInput(siteId)}.`);
    const person = request.query.person === undefined ? undefined : simulator.person({ cio_id: request.query.person }, siteId);
    if (request.query.person !== undefined && person === undefined) throw new AmpstreamError('not_found', `No person with cio_id ${quoteInput(request.query.person)}.`);
    return sendPage(
      reply,
      <SimulatorPage
        context={pageContext(reply, deps)}
        simulator={simulator}
        siteId={siteId}
        people={simulator.people(siteId)}
        person={person}
        anonymous={simulator.anonymousEvents(siteId)}
        activity={simulator.activity(siteId).slice(-SHOWN_ACTIVITY).reverse()}
      />,
    );
  });
}
