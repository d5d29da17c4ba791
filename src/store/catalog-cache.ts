import { AmpstreamError } from '../errors.js';
import type { CatalogKind, CatalogName, ProjectCatalog } from './types.js';

/**
 * Limits of a project's catalog, so hostile input cannot make it grow without bound: names longer
 * than `maxNameLength` (and empty ones) are not recorded, and a project keeps at most `maxNames`
 * names of each kind (later new names are not recorded; known ones still are seen).
 * `touchIntervalMs`: a name's `last_seen_at` is rewritten at most this often.
 */
export const CATALOG_LIMITS = {
  maxNameLength: 1024,
  maxNames: 2000,
  touchIntervalMs: 60_000,
} as const;

export type CatalogLimits = { readonly [K in keyof typeof CATALOG_LIMITS]: number };

/** A recorded name as stored. */
export interface CatalogRow {
  kind: CatalogKind;
  name: string;
  lastSeenAt: number;
}

/** A write the store makes: record a new name, or move a known name's `last_seen_at` forward. */
export interface CatalogWrite extends CatalogName {
  op: 'insert' | 'touch';
}

type RecordedNames = Record<CatalogKind, Map<string, number>>;

/**
 * The names a store has recorded, per project and kind, with the `last_seen_at` written for each,
 * so an ingest commit writes only new names (and a touch a minute per name): looking a known name up
 * is one Map access. Adapters load a project's rows before its first commit (`unloaded`, `load`).
 * `writes` counts its writes as done: when the transaction that makes them fails, call `forget`
 * (everything is loaded again as needed).
 */
export class CatalogCache {
  private readonly projects = new Map<number, RecordedNames>();

  constructor(private readonly limits: CatalogLimits = CATALOG_LIMITS) {}

  /** The projects among `names` whose recorded names are not loaded yet. */
  unloaded(names: readonly CatalogName[]): number[] {
    const missing = new Set<number>();
    for (const name of names) if (!this.projects.has(name.projectId)) missing.add(name.projectId);
    return [...missing];
  }

  load(projectId: number, rows: Iterable<CatalogRow>): void {
    const recorded: RecordedNames = { event_type: new Map(), event_property: new Map(), user_property: new Map() };
    for (const row of rows) recorded[row.kind].set(row.name, row.lastSeenAt);
    this.projects.set(projectId, recorded);
  }

  /** What to write for a commit's names (their projects loaded); from then on they count as recorded. */
  writes(names: readonly CatalogName[]): CatalogWrite[] {
    const writes: CatalogWrite[] = [];
    for (const entry of names) {
      const recorded = this.projects.get(entry.projectId)?.[entry.kind];
      if (recorded === undefined) throw new AmpstreamError('internal', `the catalog of project ${entry.projectId} was not loaded`);
      const lastSeenAt = recorded.get(entry.name);
      if (lastSeenAt === undefined) {
        if (entry.name.length === 0 || entry.name.length > this.limits.maxNameLength) continue;
        if (recorded.size >= this.limits.maxNames) continue;
        recorded.set(entry.name, entry.seenAt);
        writes.push({ op: 'insert', ...entry });
      } else if (entry.seenAt - lastSeenAt >= this.limits.touchIntervalMs) {
        recorded.set(entry.name, entry.seenAt);
        writes.push({ op: 'touch', ...entry });
      }
    }
    return writes;
  }

  /** Drops everything loaded (after a failed transaction). */
  forget(): void {
    this.projects.clear();
  }
}

/** A project's recorded names as the catalog lists them (pure): by kind, each list sorted. */
export function catalogLists(rows: Iterable<Pick<CatalogRow, 'kind' | 'name'>>): ProjectCatalog {
  const catalog: ProjectCatalog = { eventTypes: [], eventProperties: [], userProperties: [] };
  const lists: Record<CatalogKind, string[]> = {
    event_type: catalog.eventTypes,
    event_property: catalog.eventProperties,
    user_property: catalog.userProperties,
  };
  for (const row of rows) lists[row.kind].push(row.name);
  for (const list of Object.values(lists)) list.sort();
  return catalog;
}
