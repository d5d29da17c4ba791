import type { SyncConfig, SyncView } from './sync-schema.js';

/**
 * A sync as the API, the CLI and the logs show it: the Customer.io key is replaced by
 * `api_key_set: true`, never shown whole or in part. The Customer.io settings are copied field by
 * field, so a setting added later is not shown until it is added here.
 */
export function redactSync(config: SyncConfig): SyncView {
  const { site_id, region } = config.customerio;
  return { ...structuredClone(config), customerio: { site_id, region, api_key_set: true } };
}
