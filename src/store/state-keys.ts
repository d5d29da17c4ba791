/**
 * String keys for the maps an ingest batch works with. Each part is length-prefixed so no two
 * different tuples can give the same key, whatever characters the ids contain.
 */

export function dedupeKey(projectId: number, deviceId: string, insertId: string): string {
  return `${projectId}|${deviceId.length}|${deviceId}|${insertId}`;
}

export function deviceKey(projectId: number, deviceId: string): string {
  return `${projectId}|${deviceId}`;
}

export function profileKey(projectId: number, personKey: string): string {
  return `${projectId}|${personKey}`;
}

export function userPerson(userId: string): string {
  return `user:${userId}`;
}

export function devicePerson(deviceId: string): string {
  return `device:${deviceId}`;
}

/** Keys of planning state maps: per sync, a person key or a device id. */
export function planStateKey(syncId: number, key: string): string {
  return `${syncId}|${key}`;
}

/** Delivery partitions: a person's deliveries always fall in the same one, so one worker keeps their order. */
export const DELIVERY_PARTITIONS = 64;

export function deliveryPartition(syncId: number, person: string): number {
  let hash = 2166136261 ^ syncId;
  for (let i = 0; i < person.length; i++) {
    hash ^= person.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % DELIVERY_PARTITIONS;
}
