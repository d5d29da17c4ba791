import { parseFaultSettings } from './faults.js';
import { maskKey } from './options.js';
import { jsonReply, type SimReply } from './replies.js';
import type { SimulatorCore } from './simulator-core.js';

/** The inspection API's index: not part of Customer.io's API, for tests and people. */
const ENDPOINTS = {
  'GET /_sim/workspaces': 'workspaces, regions and URLs (keys masked)',
  'GET /_sim/people?site_id=': 'people with identifiers, attributes and event counts',
  'GET /_sim/people/{cio_id}?site_id=': 'one person with their events',
  'GET /_sim/anonymous-events?site_id=': 'events not attached to a person, by anonymous_id',
  'GET /_sim/activity?site_id=': 'update failures, stale updates, duplicates, merges',
  'GET /_sim/requests?limit=': 'the request log with bodies and replies (newest last)',
  'GET /_sim/counters': 'request, status, route, fault and operation counters',
  'GET /_sim/faults': 'fault settings in force',
  'PUT /_sim/faults': 'replace the fault settings',
  'POST /_sim/reset': 'forget state, log and counters; faults back to the start settings',
} as const;

function problem(status: number, error: string, message: string): SimReply {
  return jsonReply(status, { error, message });
}

export interface InspectionRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

/** Answers `/_sim/...`. */
export function handleInspection(core: SimulatorCore, request: InspectionRequest): SimReply {
  const { method, path, query } = request;
  const siteId = query.get('site_id') ?? undefined;
  const state = core.state(siteId);
  const stateFor = (): SimReply | undefined =>
    state === undefined ? problem(404, 'unknown_workspace', `no workspace with site_id ${JSON.stringify(siteId)}`) : undefined;
  const key = `${method} ${path}`;

  if (key === 'GET /_sim' || key === 'GET /_sim/') return jsonReply(200, { endpoints: ENDPOINTS });
  if (key === 'GET /_sim/workspaces') {
    return jsonReply(200, {
      workspaces: core.workspaces.map((w) => ({
        site_id: w.siteId,
        api_key_hint: maskKey(w.apiKey),
        region: w.region,
        environment_id: w.environmentId,
        identifier_mode: w.identifierMode,
      })),
    });
  }
  if (key === 'GET /_sim/people') return stateFor() ?? jsonReply(200, { site_id: core.workspace(siteId)?.siteId, people: state?.listPeople() });
  const personPath = /^\/_sim\/people\/([^/]+)$/.exec(path);
  if (method === 'GET' && personPath !== null) {
    const missing = stateFor();
    if (missing !== undefined || state === undefined) return missing as SimReply;
    const cioId = decodeURIComponent(personPath[1] as string);
    const person = state.find({ kind: 'cio_id', value: cioId });
    if (person === undefined) return problem(404, 'unknown_person', `no person with cio_id ${cioId}`);
    return jsonReply(200, { ...person, events: state.eventsOf(person) });
  }
  if (key === 'GET /_sim/anonymous-events') return stateFor() ?? jsonReply(200, { anonymous_events: state?.listAnonymousEvents() });
  if (key === 'GET /_sim/activity') return stateFor() ?? jsonReply(200, { activity: state?.listActivity() });
  if (key === 'GET /_sim/requests') {
    const limit = Number(query.get('limit') ?? '100');
    const all = core.log.list();
    return jsonReply(200, { requests: Number.isInteger(limit) && limit > 0 ? all.slice(-limit) : all });
  }
  if (key === 'GET /_sim/counters') return jsonReply(200, core.log.snapshot());
  if (key === 'GET /_sim/faults') return jsonReply(200, core.faults.current());
  if (key === 'PUT /_sim/faults') {
    try {
      core.setFaults(parseFaultSettings(JSON.parse(request.body.toString('utf8') || '{}')));
    } catch (error) {
      return problem(400, 'invalid_faults', error instanceof Error ? error.message : String(error));
    }
    return jsonReply(200, core.faults.current());
  }
  if (key === 'POST /_sim/reset') {
    core.reset();
    return jsonReply(200, { reset: true });
  }
  return problem(404, 'not_found', `no inspection route ${method} ${path}; GET /_sim lists them`);
}
