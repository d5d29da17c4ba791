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
