/** The Customer.io credentials: Site ID, API key (never shown), region, and Test connection's answer. */
import type { CredentialTest } from '../../../engine/sync-service.js';
import { SYNC_LIMITS } from '../../../sync/sync-schema.js';
import { Badge } from '../../components.js';
import { Notice } from '../../layout.js';
import type { SyncFormState } from '../../sync-form.js';
import { SelectField, TextField, type EditorView } from './controls.js';

const REGIONS: readonly [string, string][] = [
  ['us', 'US'],
  ['eu', 'EU'],
];

/** Test connection's answer, in words. */
export function TestResult({ outcome }: { outcome: CredentialTest }) {
  if (outcome.ok) return <Notice kind="ok">Customer.io accepted these credentials ({outcome.region.toUpperCase()} region).</Notice>;
  const explanation: Record<string, string> = {
    credentials_rejected: 'Customer.io refused this Site ID and API key: check both (the Track API credentials of the workspace).',
    wrong_region: 'Wrong region:',
    rate_limited: 'Not checked:',
    input: 'Not checked:',
  };
  return (
    <Notice kind="error">
      {explanation[outcome.problem] ?? 'Not checked: Customer.io could not be asked.'} {outcome.message}
    </Notice>
  );
}

function ApiKeyField({ view, keyStored, keyDropped }: { view: EditorView; keyStored: boolean; keyDropped: boolean }) {
  const hint = keyStored ? (
    <>
      <Badge tone="ok">Set</Badge> A key is stored; it is never shown. Leave this empty to keep it, or type a new key to replace it.
      {keyDropped && ' The new key you typed was not saved: type it again to replace the stored one.'}
    </>
  ) : keyDropped ? (
    'Not saved yet, and a page never holds a key: enter it again.'
  ) : (
    'The Track API key paired with the Site ID. Once saved it is never shown again.'
  );
  return (
    <TextField
      path="customerio.api_key"
      label="API key"
      view={view}
      value=""
      hint={hint}
      required={!keyStored}
      maxLength={SYNC_LIMITS.credentialLength}
      placeholder={keyStored ? 'set; type a new key to replace it' : undefined}
      secret
    />
  );
}

export function Credentials({ state, view, keyStored, keyDropped, testUrl, test }: { state: SyncFormState; view: EditorView; keyStored: boolean; keyDropped: boolean; testUrl: string; test?: CredentialTest | undefined }) {
  return (
    <fieldset class="stack">
      <legend>Customer.io credentials</legend>
      <TextField
        path="customerio.site_id"
        label="Site ID"
        view={view}
        value={state.customerio.site_id}
        required
        maxLength={SYNC_LIMITS.credentialLength}
        hint="In Customer.io: Settings, Workspace Settings, API and webhook credentials, Track API keys."
        secret
      />
      <ApiKeyField view={view} keyStored={keyStored} keyDropped={keyDropped} />
      <SelectField path="customerio.region" label="Account region" view={view} value={state.customerio.region} options={REGIONS} />
      <div class="actions">
        <button type="submit" name="action" value="test-connection" formNoValidate class="btn" hx-post={testUrl} hx-target="#test-result" hx-swap="innerHTML">
          <span class="when-idle">Test connection</span>
          <span class="when-busy">Testing…</span>
        </button>
      </div>
      <div id="test-result" class="test-result">
        {test !== undefined && <TestResult outcome={test} />}
      </div>
    </fieldset>
  );
}
