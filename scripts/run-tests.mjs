#!/usr/bin/env node
// Runs every *.test.ts under test/ and src/ with node:test through tsx, one file at a time
// (the files start servers and child processes; the machine has two cores). Node 20's test
// runner does not expand globs itself, so the files are listed here. Extra arguments (file
// paths or --test-name-pattern=...) are passed through.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const tests = files.length > 0 ? files : [...findTests(join(root, 'test')), ...findTests(join(root, 'src'))].sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...flags, ...tests],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
