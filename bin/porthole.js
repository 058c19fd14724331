#!/usr/bin/env node
// Runs the bundled CLI, building it first on a fresh clone (the CLI, and the gateway `porthole dev` runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = (name) => fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
const cli = bundle('cli');
if (!['cli', 'gateway', 'gateway-host'].every((name) => existsSync(bundle(name)))) {
  const { build } = await import('../scripts/build.mjs');
  await build({ only: ['cli', 'gateway', 'gateway-host'] });
}
await import(cli);
