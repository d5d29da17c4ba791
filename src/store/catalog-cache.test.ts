import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogCache, catalogLists } from './catalog-cache.js';
import type { CatalogKind, CatalogName } from './types.js';

const limits = { maxNameLength: 8, maxNames: 3, touchIntervalMs: 60_000 };

function name(kind: CatalogKind, value: string, seenAt = 0, projectId = 1): CatalogName {
  return { projectId, kind, name: value, seenAt };
}

function loaded(rows: { kind: CatalogKind; name: string; lastSeenAt: number }[] = []): CatalogCache {
  const cache = new CatalogCache(limits);
  cache.load(1, rows);
  return cache;
}

describe('CatalogCache', () => {
  it('names the projects not loaded yet', () => {
    const cache = loaded();
    assert.deepEqual(cache.unloaded([name('event_type', 'A'), name('event_type', 'A', 0, 2), name('event_type', 'B', 0, 2)]), [2]);
  });

  it('inserts new names once; a known name writes nothing within the touch interval', () => {
    const cache = loaded([{ kind: 'event_type', name: 'Known', lastSeenAt: 0 }]);
    assert.deepEqual(cache.writes([name('event_type', 'Known', 59_999), name('event_type', 'New', 10)]), [
      { op: 'insert', projectId: 1, kind: 'event_type', name: 'New', seenAt: 10 },
    ]);
    assert.deepEqual(cache.writes([name('event_type', 'New', 20)]), []);
  });

  it('touches a known name at most once per interval', () => {
    const cache = loaded([{ kind: 'user_property', name: 'plan', lastSeenAt: 1000 }]);
    assert.deepEqual(cache.writes([name('user_property', 'plan', 61_000)]), [
      { op: 'touch', projectId: 1, kind: 'user_property', name: 'plan', seenAt: 61_000 },
    ]);
    assert.deepEqual(cache.writes([name('user_property', 'plan', 120_999)]), []);
    assert.equal(cache.writes([name('user_property', 'plan', 121_000)])[0]?.op, 'touch');
  });

  it('skips empty names and names over the length limit', () => {
    const cache = loaded();
    const writes = cache.writes([name('event_property', ''), name('event_property', 'x'.repeat(9)), name('event_property', 'x'.repeat(8))]);
    assert.deepEqual(writes.map((w) => w.name), ['x'.repeat(8)]);
  });

  it('keeps at most maxNames names per project and kind', () => {
    const cache = loaded([{ kind: 'event_property', name: 'a', lastSeenAt: 0 }]);
    cache.load(2, []);
    const writes = cache.writes([
      name('event_property', 'b'),
      name('event_property', 'c'),
      name('event_property', 'd'),
      name('event_type', 'T'),
      name('event_property', 'd', 0, 2),
    ]);
    assert.deepEqual(writes.map((w) => [w.projectId, w.kind, w.name]), [
      [1, 'event_property', 'b'],
      [1, 'event_property', 'c'],
      [1, 'event_type', 'T'],
      [2, 'event_property', 'd'],
    ]);
    assert.equal(cache.writes([name('event_property', 'a', 100_000)])[0]?.op, 'touch', 'a known name is still seen over the cap');
  });

  it('refuses names of a project not loaded, and forgets every project', () => {
    const cache = loaded();
    cache.forget();
    assert.deepEqual(cache.unloaded([name('event_type', 'A')]), [1]);
    assert.throws(() => cache.writes([name('event_type', 'A')]), { code: 'internal' });
  });
});

describe('catalogLists', () => {
  it('groups rows by kind, each list sorted by UTF-16 code units', () => {
    assert.deepEqual(
      catalogLists([
        { kind: 'event_type', name: 'b' },
        { kind: 'event_type', name: 'B' },
        { kind: 'event_property', name: 'é' },
        { kind: 'event_property', name: 'e' },
        { kind: 'user_property', name: 'z' },
      ]),
      { eventTypes: ['B', 'b'], eventProperties: ['e', 'é'], userProperties: ['z'] },
    );
  });
});
