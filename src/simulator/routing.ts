import type { TrackRegion } from '../customerio/track-items.js';

export type RouteName = 'auth' | 'region' | 'identify' | 'delete_person' | 'person_event' | 'anonymous_event' | 'entity' | 'batch';

/** Which host a request came to: a region's, or the root that stands in for both. */
export type HostRegion = TrackRegion | 'any';

export type Routed =
  | { kind: 'route'; route: RouteName; host: HostRegion; path: string; identifier?: string }
  | { kind: 'not_found'; host: HostRegion; path: string }
  | { kind: 'method_not_allowed'; host: HostRegion; path: string; allow: string };

interface RouteShape {
  segments: readonly string[];
  methods: Partial<Record<string, RouteName>>;
}

/** `:id` stands for one percent-decoded path segment. */
const ROUTES: readonly RouteShape[] = [
  { segments: ['auth'], methods: { GET: 'auth' } },
  { segments: ['api', 'v1', 'accounts', 'region'], methods: { GET: 'region' } },
  { segments: ['api', 'v1', 'customers', ':id'], methods: { PUT: 'identify', DELETE: 'delete_person' } },
  { segments: ['api', 'v1', 'customers', ':id', 'events'], methods: { POST: 'person_event' } },
  { segments: ['api', 'v1', 'events'], methods: { POST: 'anonymous_event' } },
  { segments: ['api', 'v2', 'entity'], methods: { POST: 'entity' } },
  { segments: ['api', 'v2', 'batch'], methods: { POST: 'batch' } },
];

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/**
 * Matches a request path. A leading `/us` or `/eu` picks that region's virtual host. Segments are
 * percent-decoded exactly once, so `%2F` stays inside an identifier and a raw `/` finds no route.
 */
export function routeTrackRequest(method: string, rawPath: string): Routed {
  let host: HostRegion = 'any';
  let path = rawPath;
  const prefix = /^\/(us|eu)(?=\/|$)/.exec(rawPath);
  if (prefix !== null) {
    host = prefix[1] as TrackRegion;
    path = rawPath.slice(prefix[0].length) || '/';
  }
  const segments = decodeSegments(path);
  if (segments === undefined) return { kind: 'not_found', host, path };
  for (const shape of ROUTES) {
    if (shape.segments.length !== segments.length) continue;
    let identifier: string | undefined;
    const fits = shape.segments.every((expected, i) => {
      const actual = segments[i] as string;
      if (expected === ':id') {
        identifier = actual;
        return actual !== '';
      }
      return expected === actual;
    });
    if (!fits) continue;
    const route = shape.methods[method];
    if (route === undefined) return { kind: 'method_not_allowed', host, path, allow: Object.keys(shape.methods).join(', ') };
    return identifier === undefined ? { kind: 'route', route, host, path } : { kind: 'route', route, host, path, identifier };
  }
  return { kind: 'not_found', host, path };
}
