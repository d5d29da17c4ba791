import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NUMERIC_SETTINGS } from '../src/config.js';
import { REPO_ROOT, startServerProcess } from './helpers/process.js';
import { tempDir } from './helpers/service.js';

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
});
