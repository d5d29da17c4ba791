import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrackClient } from './customerio/track-client.js';
import { SyncService } from './engine/sync-service.js';
import { AmpstreamError } from './errors.js';
import { ProjectDirectory } from './projects/project-directory.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { applySyncConfigFile } from './sync-config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ampstream-config-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'sk_live_config_file_0123456789';
const customerio = { site_id: 's1', api_key: KEY, region: 'us' };

async function setup() {
  const store = new SqliteStore({ path: ':memory:' });
  const projectId = (await new ProjectDirectory(store).create({ name: 'Shop' })).id;
  const changed: number[] = [];
  const syncs = new SyncService(store, {} as TrackClient, async (id) => void changed.push(id));
  return { store, projectId, syncs, changed };
}

let files = 0;
function file(content: unknown): string {
  const path = join(dir, `syncs-${files++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The file's refusal: `config_invalid` with this message (the key never in it). */
function refused(message: string, field?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AmpstreamError, String(error));
    assert.equal(error.code, 'config_invalid');
    assert.equal(error.message, message);
    assert.equal(error.field, field);
    assert.ok(!error.message.includes(KEY));
    return true;
  };
}

/** What the store holds of the syncs: enough to see that nothing moved. */
async function snapshot(store: SqliteStore) {
  return (await store.listSyncs()).map((s) => ({ id: s.id, name: (s.config as { name: string }).name, enabled: s.enabled, revision: s.revision, updatedAt: s.updatedAt }));
}

describe('serve --config applies the whole file or nothing of it', () => {
  it('refuses two entries of one project with the same name (case, spaces aside), every time, creating nothing', async () => {
    const { store, projectId, syncs, changed } = await setup();
    const path = file({
      syncs: [
        { name: 'Alpha', project_id: projectId, customerio },
        { name: ' ALPHA ', project_id: projectId, customerio, send_users: { enabled: false } },
      ],
    });
    const duplicate = refused(`${path}: syncs.1.name: " ALPHA " is the same name as syncs.0 ("Alpha")`, 'syncs.1.name');
    await assert.rejects(applySyncConfigFile(path, syncs), duplicate);
    assert.deepEqual(await snapshot(store), [], 'nothing was created');
    await assert.rejects(applySyncConfigFile(path, syncs), duplicate, 'and the same file is refused again');

    // with the sync existing (made another way), both entries would replace it: refused the same
    await syncs.create({ name: 'alpha', project_id: projectId, customerio });
    const before = await snapshot(store);
    await assert.rejects(applySyncConfigFile(path, syncs), duplicate);
    assert.deepEqual(await snapshot(store), before);
    assert.deepEqual(changed, [before[0]?.id], 'no delivery worker was told of a change');
  });

  it('compares names as the names module does: Unicode composition too; other projects may share a name', async () => {
    const { store, projectId, syncs } = await setup();
    const other = (await new ProjectDirectory(store).create({ name: 'Other' })).id;
    const composed = 'Caf\u00e9';
    const decomposed = 'CAFE\u0301';
    const path = file({
      syncs: [
        { name: composed, project_id: projectId, customerio },
        { name: composed, project_id: other, customerio },
        { name: 'Beta', project_id: projectId, customerio },
        { name: decomposed, project_id: projectId, customerio },
      ],
    });
    await assert.rejects(
      applySyncConfigFile(path, syncs),
      refused(`${path}: syncs.3.name: ${JSON.stringify(decomposed)} is the same name as syncs.0 (${JSON.stringify(composed)})`, 'syncs.3.name'),
    );
    assert.deepEqual(await snapshot(store), []);
    const fine = file({ syncs: [{ name: composed, project_id: projectId, customerio }, { name: composed, project_id: other, customerio }] });
    assert.equal((await applySyncConfigFile(fine, syncs)).created.length, 2);
  });

  it('keeps nothing of a file with a sync of a project that does not exist', async () => {
    const { store, projectId, syncs } = await setup();
    const path = file({ syncs: [{ name: 'Beta', project_id: projectId, customerio }, { name: 'Gamma', project_id: 99, customerio }] });
    await assert.rejects(applySyncConfigFile(path, syncs), refused(`${path}: syncs.1.project_id: project 99 does not exist`, 'syncs.1.project_id'));
    assert.deepEqual(await snapshot(store), []);
  });

  it('changes no existing sync when a later entry is refused, and reports every problem of the file at once', async () => {
    const { store, projectId, syncs, changed } = await setup();
    const existing = await syncs.create({ name: 'Prod', project_id: projectId, customerio });
    const before = await snapshot(store);
    const path = file({
      syncs: [
        { name: 'prod', project_id: projectId, customerio, enabled: false },
        { name: 'Gamma', project_id: 99, customerio },
        { name: 'PROD', project_id: projectId, customerio },
        { name: 'Delta', project_id: projectId, customerio: { ...customerio, region: 'mars' } },
        { name: 'Epsilon', project_id: projectId, customerio: { ...customerio, api_key: 'env:AMPSTREAM_TEST_UNSET_KEY' } },
      ],
    });
    await assert.rejects(
      applySyncConfigFile(path, syncs, {}),
      refused(
        [
          `${path}: 4 problems; nothing of the file was applied:`,
          '  syncs.1.project_id: project 99 does not exist',
          '  syncs.2.name: "PROD" is the same name as syncs.0 ("prod")',
          '  syncs.3.customerio.region: must be equal to one of the allowed values ("us", "eu")',
          '  syncs.4.customerio.api_key: names the environment variable AMPSTREAM_TEST_UNSET_KEY, which is not set',
        ].join('\n'),
      ),
    );
    assert.deepEqual(await snapshot(store), before);
    assert.deepEqual(changed, [existing.id]);
  });

  it('applies a good file in one go: creates and replaces, then tells the delivery engine of each', async () => {
    const { store, projectId, syncs, changed } = await setup();
    const existing = await syncs.create({ name: 'Prod', project_id: projectId, customerio });
    changed.length = 0;
    const path = file({ syncs: [{ name: 'New', project_id: projectId, customerio }, { name: ' prod ', project_id: projectId, customerio, enabled: false }] });
    const applied = await applySyncConfigFile(path, syncs);
    assert.equal(applied.created.length, 1);
    assert.deepEqual(applied.updated, [existing.id]);
    assert.deepEqual(changed.sort(), [...applied.created, existing.id].sort());
    const after = await snapshot(store);
    assert.deepEqual(after.map((s) => [s.name, s.enabled, s.revision]), [['prod', false, 2], ['New', true, 1]]);
  });

  it('leaves a sync the file does not change as it is: same revision, pause kept, the engine not told', async () => {
    const { store, projectId, syncs, changed } = await setup();
    const path = file({ syncs: [{ name: 'Prod', project_id: projectId, customerio }] });
    const [id] = (await applySyncConfigFile(path, syncs)).created;
    await store.setSyncPause(id!, { reason: 'Unauthorized request', problem: 'credentials_rejected', since: 1 });
    const before = await snapshot(store);
    changed.length = 0;
    const again = await applySyncConfigFile(path, syncs);
    assert.deepEqual([again.created, again.updated, again.unchanged], [[], [], [id]]);
    assert.deepEqual(await snapshot(store), before, 'revision and updated_at as they were');
    assert.ok((await store.getSync(id!))?.pause, 'a pause stays: only a change of settings retries');
    assert.deepEqual(changed, []);
  });
});
