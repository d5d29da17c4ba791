import { applyUserPropertyOperations, diffProfiles } from '../amplitude/user-property-operations.js';
import { DEDUPE_WINDOW_MS } from '../amplitude/limits.js';
import { GROUP_IDENTIFY_EVENT_TYPE } from '../amplitude/event-validation.js';
import type { JsonObject } from '../amplitude/plain-data.js';
import type {
  DedupeRef,
  DeviceRef,
  IngestProcessor,
  IngestState,
  IngestStateKeys,
  IngestUnit,
  IngestWrites,
  PersonRef,
} from '../store/types.js';
import { dedupeKey, devicePerson, deviceKey, profileKey, userPerson } from '../store/state-keys.js';
import { CatalogCollector, eventCatalogNames } from './catalog-names.js';

/**
 * The pure half of an ingest commit. Given the requests of one group commit and the state they
 * read, it decides what to write:
 * - an insert_id seen in the window (or earlier in the group) for the same project and device is a
 *   duplicate and writes nothing;
 * - a person is the user_id; device-only events belong to the device, or to the user the device is
 *   linked to;
 * - the first time a device arrives with a user_id, the device is linked to that user and the device
 *   profile is merged into the user's (the user's values win); a later, different user re-links the
 *   device without merging;
 * - `user_properties` (plain keys or operations) update the person's profile, except on
 *   `$groupidentify` events and events with `$skip_user_properties_sync`;
 * - every stored event records the profile after it and the properties it changed;
 * - the names stored events carry go to the project's catalog (`eventCatalogNames`).
 */
export const ingestProcessor: IngestProcessor = {
  stateKeys(units: readonly IngestUnit[]): IngestStateKeys {
    const insertIds: DedupeRef[] = [];
    const devices: DeviceRef[] = [];
    const persons: PersonRef[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const unit of units) {
      earliest = Math.min(earliest, unit.receivedAt);
      const projectId = unit.projectId;
      for (const event of unit.events) {
        if (!event.insertIdGenerated) insertIds.push({ projectId, deviceId: event.deviceId ?? '', insertId: event.insertId });
        if (event.deviceId !== null) {
          devices.push({ projectId, deviceId: event.deviceId });
          persons.push({ projectId, personKey: devicePerson(event.deviceId) });
        }
        if (event.userId !== null) persons.push({ projectId, personKey: userPerson(event.userId) });
      }
    }
    return { insertIds, insertIdsSeenSince: earliest - DEDUPE_WINDOW_MS, devices, persons };
  },

  process(units: readonly IngestUnit[], state: IngestState): IngestWrites {
    const writes: IngestWrites = { events: [], profiles: [], deviceLinks: [], outcomes: [], catalog: [] };
    const catalog = new CatalogCollector();
    const seen = new Set(state.seenInsertIds);
    const links = new Map(state.deviceLinks);
    const profiles = new Map(state.profiles);
    const dirtyProfiles = new Map<string, { projectId: number; personKey: string; updatedAt: number }>();

    for (const unit of units) {
      const { projectId, receivedAt } = unit;
      let duplicates = 0;
      for (const event of unit.events) {
        if (!event.insertIdGenerated) {
          const key = dedupeKey(projectId, event.deviceId ?? '', event.insertId);
          if (seen.has(key)) {
            duplicates++;
            continue;
          }
          seen.add(key);
        }
        catalog.add(projectId, receivedAt, eventCatalogNames(event));

        let personKey: string;
        let userId = event.userId;
        let merged: JsonObject | undefined;
        if (event.userId !== null) {
          personKey = userPerson(event.userId);
          if (event.deviceId !== null) {
            const linkKey = deviceKey(projectId, event.deviceId);
            const linked = links.get(linkKey);
            if (linked !== event.userId) {
              links.set(linkKey, event.userId);
              writes.deviceLinks.push({ projectId, deviceId: event.deviceId, userId: event.userId, linkedAt: receivedAt });
              if (linked === undefined) merged = profiles.get(profileKey(projectId, devicePerson(event.deviceId)));
            }
          }
        } else {
          const deviceId = event.deviceId as string;
          const linked = links.get(deviceKey(projectId, deviceId));
          userId = linked ?? null;
          personKey = linked !== undefined ? userPerson(linked) : devicePerson(deviceId);
        }

        const key = profileKey(projectId, personKey);
        const existing = profiles.get(key);
        const firstSeen = existing === undefined;
        let userProperties: JsonObject;
        let changes: IngestWrites['events'][number]['changes'] = null;

        if (event.skipUserPropertiesSync) {
          userProperties = event.userProperties ?? {};
          if (firstSeen) {
            profiles.set(key, {});
            dirtyProfiles.set(key, { projectId, personKey, updatedAt: receivedAt });
          }
        } else {
          const before = existing ?? {};
          let after = merged !== undefined ? { ...merged, ...before } : before;
          if (event.userProperties !== null && event.eventType !== GROUP_IDENTIFY_EVENT_TYPE) {
            after = applyUserPropertyOperations(after, event.userProperties);
          }
          const diff = diffProfiles(before, after);
          if (Object.keys(diff).length > 0) changes = diff;
          if (firstSeen || changes !== null) {
            profiles.set(key, after);
            dirtyProfiles.set(key, { projectId, personKey, updatedAt: receivedAt });
          }
          userProperties = after;
        }

        writes.events.push({
          projectId,
          receivedAt,
          requestId: unit.requestId,
          source: unit.source,
          insertId: event.insertId,
          insertIdGenerated: event.insertIdGenerated,
          eventType: event.eventType,
          time: event.time,
          userId,
          deviceId: event.deviceId,
          personKey,
          payload: event.payload,
          userProperties,
          changes,
          firstSeen,
        });
      }
      writes.outcomes.push({ accepted: unit.events.length, duplicates });
    }

    for (const [key, ref] of dirtyProfiles) {
      writes.profiles.push({ ...ref, properties: profiles.get(key) ?? {} });
    }
    writes.catalog = catalog.names();
    return writes;
  },
};
