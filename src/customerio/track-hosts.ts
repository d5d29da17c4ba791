import type { TrackRegion } from './track-items.js';

/** Customer.io's Track API hosts per region (reference §1.1). */
export const TRACK_HOSTS: Readonly<Record<TrackRegion, string>> = {
  us: 'https://track.customer.io',
  eu: 'https://track-eu.customer.io',
};

/**
 * The base URL for a workspace's region. An override (the server's `AMPSTREAM_CUSTOMERIO_URL`, e.g.
 * the simulator) stands in for both regions; it may carry a path prefix.
 */
export function trackBaseUrl(region: TrackRegion, override?: string): { origin: string; pathPrefix: string } {
  const base = new URL(override ?? TRACK_HOSTS[region]);
  return { origin: base.origin, pathPrefix: base.pathname.replace(/\/+$/, '') };
}

/** The Basic credentials for a workspace: `site_id:api_key`, UTF-8, base64. */
export function basicAuthorization(siteId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${siteId}:${apiKey}`, 'utf8').toString('base64')}`;
}
