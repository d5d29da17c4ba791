import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrackClient } from '../customerio/track-client.js';
import { AmpstreamError } from '../errors.js';
import { ProjectDirectory } from '../projects/project-directory.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { applySyncConfigFile } from '../sync-config-file.js';
import { SyncService } from './sync-service.js';

const dir = mkdtempSync(join(tmpdir(), 'ampstream-sync-names-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const customerio = { site_id: 'site-1', api_key: 'key-0001' };

async function setup() {
  const store = new SqliteStore({ path: ':memory:' });
  const projects = new ProjectDirectory(store);
  const projectId = (await projects.create({ name: 'Shop' })).id;
  return { store, projects, projectId, syncs: new SyncService(store, {} as TrackClient) };
}

function conflictOn(field: string, message: RegExp) {
  return (error: unknown) => error instanceof AmpstreamError && error.code === 'conflict' && error.status === 409 && error.field === field && message.test(error.message);
}

describe('names people give projects and syncs are unique, whatever the case or surrounding spaces', () => {
  it('refuses a second project called the same, naming the project that has the name', async () => {
    const { projects, projectId } = await setup();
    for (const name of ['Shop', ' shop ', 'SHOP']) {
      await assert.rejects(projects.create({ name }), conflictOn('name', new RegExp(`^name: project ${projectId} is already called "Shop"$`)), name);
    }
    assert.equal((await projects.create({ name: 'Shop 2' })).name, 'Shop 2');
  });

  it('refuses a sync called like another of its project, on create and on rename, in any case', async () => {
    const { syncs, projectId } = await setup();
    const first = await syncs.create({ name: 'Customer.io (prod)', project_id: projectId, customerio });
    const second = await syncs.create({ name: 'Customer.io (test)', project_id: projectId, customerio });
    const taken = conflictOn('name', new RegExp(`^name: sync ${first.id} of project ${projectId} is already called "Customer\\.io \\(prod\\)"$`));
    await assert.rejects(syncs.create({ name: ' customer.io (PROD) ', project_id: projectId, customerio }), taken);
    await assert.rejects(syncs.update(second.id, { name: 'CUSTOMER.IO (prod)' }, 'patch'), taken);
    assert.equal((await syncs.update(first.id, { name: 'customer.io (prod)' }, 'patch')).config.name, 'customer.io (prod)', 'a sync may change its own name’s case');
  });

  it('lets syncs that shared a name before the rule be switched off', async () => {
    const { store, syncs, projectId } = await setup();
    const config = { name: 'Prod', project_id: projectId, customerio };
    const first = await syncs.create(config);
    const legacy = await store.createSync({ projectId, enabled: true, config: { ...first.config, name: 'prod' }, createdAt: 0 });
    assert.equal((await syncs.setEnabled(legacy.id, false)).enabled, false);
  });

  it('a config file finds its sync by the same rule: " prod " updates the sync called "Prod"', async () => {
    const { syncs, projectId } = await setup();
    const existing = await syncs.create({ name: 'Prod', project_id: projectId, customerio });
    const path = join(dir, 'syncs.json');
    writeFileSync(path, JSON.stringify({ syncs: [{ name: ' prod ', project_id: projectId, customerio, enabled: false }] }));
    assert.deepEqual(await applySyncConfigFile(path, syncs), { created: [], updated: [existing.id], unchanged: [] });
    const [only, ...others] = await syncs.list(projectId);
    assert.equal(others.length, 0);
    assert.equal((only?.config as { name: string }).name, 'prod');
  });
});
