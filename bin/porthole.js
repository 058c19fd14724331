#!/usr/bin/env node
// Runs the bundled CLI, building it first on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli) || !existsSync(fileURLToPath(new URL('../dist/gateway.js', import.meta.url)))) {
  const { build } = await import('../scripts/build.mjs');
  await build({ only: ['cli', 'gateway'] });
}
await import(cli);
