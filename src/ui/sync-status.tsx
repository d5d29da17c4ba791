import type { SyncState } from '../engine/sync-service.js';
import { Badge } from './components.js';

/** A sync's status as people read it: Enabled, Paused (and why), Disabled. */
export function SyncStatus({ status }: { status: SyncState }) {
  if (status.state === 'active') return <Badge tone="ok">Enabled</Badge>;
  if (status.state === 'disabled') return <Badge tone="off">Disabled</Badge>;
  return (
    <span class="status-paused">
      <Badge tone="bad">Paused</Badge> <span class="reason">{status.reason}</span>
    </span>
  );
}
