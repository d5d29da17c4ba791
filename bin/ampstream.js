#!/usr/bin/env node
// The CLI runs from the compiled output (npm install builds it through the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('ampstream: dist/ is missing; run `npm install` (or `npm run build`) in the ampstream directory first\n');
  process.exit(1);
}
await import(entry.href);
