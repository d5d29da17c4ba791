import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NUMERIC_SETTINGS } from '../src/config.js';
import { REPO_ROOT, startServerProcess } from './helpers/process.js';
import { ADMIN_TOKEN, startTestService, tempDir } from './helpers/service.js';
import { textOf, UiSession } from './helpers/ui-session.js';

describe('README', () => {
  it('documents every setting of ampstream serve with its flag, environment variable and default', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const setting of NUMERIC_SETTINGS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`--${setting.flag}\``));
      assert.ok(row, `README has no row for --${setting.flag}`);
      assert.ok(row.includes(`\`${setting.env}\``), `--${setting.flag}: ${setting.env}`);
      assert.ok(row.includes(`| ${setting.default} |`), `--${setting.flag}: default ${setting.default}`);
    }
  });

  it("shows the first start's banner line for line, the delivery line included", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const example = /The first start prints:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example !== undefined, 'the README shows the banner');
    const dataDir = tempDir('ampstream-readme-');
    // the default delivery target, as `npm start` has it; with no sync nothing is ever sent
    const server = await startServerProcess(dataDir, { AMPSTREAM_ADMIN_TOKEN: '', AMPSTREAM_CUSTOMERIO_URL: '', AMPSTREAM_DELIVERY: 'on' });
    try {
      const banner = server.stderr().trimEnd().split('\n');
      /** What a line is about, without the paths, ports and keys that differ from start to start. */
      const subject = (line: string) => line.split(/[:("]/)[0]?.trim();
      assert.deepEqual(example.trimEnd().split('\n').map(subject), banner.map(subject));
      const delivery = banner.find((line) => line.startsWith('delivery: '));
      assert.ok(delivery !== undefined && example.includes(delivery), `${delivery} is in the README's banner`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says how to pass flags to npm start, and npm start passes them to ampstream serve', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    // npm appends what follows `--` to the script: the script must end with the serve command
    assert.equal(pkg.scripts.start, 'node bin/ampstream.js serve');
    assert.match(readme, /`npm start -- --port 9000/);
    assert.match(readme, /`AMPSTREAM_PORT=9000 npm start`/);
  });

  it('tells the truth about the Default project, projects that cannot be renamed or deleted, and where signing in from / lands', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    assert.match(readme, /creates a project named "Default project" \(id 1\)/);
    assert.match(readme, /Projects cannot be renamed or deleted yet/);
    assert.match(readme, /sign in with the admin token: you land on the \*\*Syncs\*\*\s+page/);
    const service = await startTestService();
    try {
      const projects = (await service.admin('GET', '/api/projects')).body.projects;
      assert.deepEqual(projects.map((p: { id: number; name: string }) => [p.id, p.name]), [[1, 'Default project']]);
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        assert.equal((await service.admin(method, '/api/projects/1', method === 'DELETE' ? undefined : { name: 'renamed' })).status, 404, `${method} /api/projects/1 is no route`);
      }
      // a browser opening the server's address: / → /ui/ → the sign-in page → back to /ui/ → Syncs
      const ui = new UiSession(service.url);
      let page = await ui.get('/');
      for (let hops = 0; page.status === 303 && hops < 5; hops++) page = await ui.get(page.headers.get('location') as string);
      assert.match(page.html, /<title>Sign in/);
      const next = /name="next" value="([^"]+)"/.exec(page.html)?.[1] as string;
      page = await ui.post('/ui/sign-in', { token: ADMIN_TOKEN, next });
      for (let hops = 0; page.status === 303 && hops < 5; hops++) page = await ui.get(page.headers.get('location') as string);
      assert.equal(page.status, 200);
      assert.match(page.html, /<title>Syncs · ampstream<\/title>/);
      assert.match(textOf(page.html), /New sync/);
    } finally {
      await service.dispose();
    }
  });
});
