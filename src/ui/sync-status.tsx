import type { SyncState } from '../engine/sync-service.js';
import { Badge } from './components.js';

/** What a configuration problem means for the person who can fix it. */
const PROBLEM_TEXT: Record<string, string> = {
  credentials_rejected: 'Customer.io refused the Site ID and API key',
  forbidden: 'Customer.io refused access with these credentials',
  wrong_region: 'The workspace is in the other region',
  not_track_api: 'These are not Track API credentials',
};

/** Why a paused sync is paused: the problem in words, then Customer.io's own message. */
export function pauseText(problem: string, reason: string): string {
  const lead = PROBLEM_TEXT[problem];
  return lead === undefined ? reason : `${lead} ("${reason}"); fix the credentials and save, and the backlog is sent`;
}

/** A sync's status as people read it: Enabled, Paused (and why), Disabled. */
export function SyncStatus({ status }: { status: SyncState }) {
  if (status.state === 'active') return <Badge tone="ok">Enabled</Badge>;
  if (status.state === 'disabled') return <Badge tone="off">Disabled</Badge>;
  return (
    <span class="status-paused">
      <Badge tone="bad">Paused</Badge> <span class="reason">{pauseText(status.problem, status.reason)}</span>
    </span>
  );
}
