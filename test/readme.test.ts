import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NUMERIC_SETTINGS } from '../src/config.js';
import { REPO_ROOT } from './helpers/process.js';

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
});
