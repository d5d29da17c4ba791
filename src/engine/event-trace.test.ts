import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyncRecord } from '../store/delivery-types.js';
import type { StoredEvent } from '../store/types.js';
import { validateSyncInput } from '../sync/sync-validation.js';
import { traceEvent } from './event-trace.js';

const NOW = Date.UTC(2026, 11, 3);

function sync(settings: Record<string, unknown> = {}, enabled = true): SyncRecord {
  const config = validateSyncInput({ name: 's', project_id: 1, customerio: { site_id: 's', api_key: 'k', region: 'us' }, ...settings }, 'create');
  return { id: 1, projectId: 1, enabled, config: config as unknown as SyncRecord['config'], pause: null, createdAt: 0, updatedAt: 0, revision: 1 };
}

function identify(fields: Partial<StoredEvent> = {}): StoredEvent {
  return {
    seq: 1,
    projectId: 1,
    receivedAt: NOW,
    requestId: 'r',
    source: 'httpapi',
    insertId: 'i1',
    insertIdGenerated: false,
    eventType: '$identify',
    time: NOW,
    userId: 'carol-003',
    deviceId: null,
    personKey: 'user:carol-003',
    payload: { event_type: '$identify' },
    userProperties: { plan: 'team' },
    changes: null,
    firstSeen: false,
    ...fields,
  };
}

const reasonOf = (event: StoredEvent, record: SyncRecord) => traceEvent(event, [record], []).syncs[0]?.steps;

describe('traceEvent: why nothing was planned', () => {
  it('says nothing selected changed, not that the sync may have been disabled, when the sync is enabled and would send nothing', () => {
    assert.deepEqual(reasonOf(identify(), sync()), [
      { step: 'not_planned', reason: 'nothing had to be sent: this identify changed none of the properties Send Users selects' },
    ]);
    assert.deepEqual(reasonOf(identify(), sync({ send_users: { enabled: false } })), [
      { step: 'not_planned', reason: 'nothing had to be sent: Send Users is off, and identifies are never sent as events' },
    ]);
    const byEmail = sync({ identifier: { from: 'user_property', name: 'email' } });
    assert.deepEqual(reasonOf(identify({ changes: { plan: { to: 'team' } } }), byEmail), [
      { step: 'not_planned', reason: 'nothing had to be sent: the person has no identifier (user property email), so Customer.io cannot be addressed' },
    ]);
  });

  it('says the sync was disabled when it is, or when its current settings would have sent something', () => {
    assert.deepEqual(reasonOf(identify(), sync({}, false)), [
      { step: 'not_planned', reason: 'the sync is disabled (it plans nothing for events ingested while disabled)' },
    ]);
    assert.deepEqual(reasonOf(identify({ changes: { plan: { to: 'team' } } }), sync()), [
      { step: 'not_planned', reason: 'the sync was disabled when this event was ingested (its current settings would send something for it)' },
    ]);
  });
});
