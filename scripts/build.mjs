#!/usr/bin/env node
/**
 * Bundle the gateway (for workerd), the CLI, the operator SDK and the benchmark (for Node) with
 * esbuild; the SDK's type declarations come from tsc (sdk-types.mjs).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const gatewayBundle = `${root}dist/gateway.js`;

/** package.json's version, bundled into the CLI (`porthole --version`; client/cli/version.ts). */
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

/**
 * The dashboard's script and stylesheet are real files (linted, type-checked) that the Worker
 * imports as text; wrangler.toml's Text rule does the same for `wrangler deploy`.
 * @type {import('esbuild').Plugin}
 */
const textAssets = {
  name: 'text-assets',
  setup(build) {
    build.onLoad({ filter: /[\\/]gateway[\\/]pages[\\/]assets[\\/][^\\/]+\.(js|css)$/ }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

/** @type {Record<string, import('esbuild').BuildOptions>} */
const targets = {
  gateway: {
    entryPoints: [`${root}gateway/index.ts`],
    outfile: gatewayBundle,
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    plugins: [textAssets],
  },
  cli: {
    // dist/cli.js, and chunks for what one command alone loads (`porthole mcp`: the MCP SDK, zod),
    // so that every other command starts without them.
    entryPoints: { cli: `${root}client/cli.ts` },
    outdir: `${root}dist`,
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    platform: 'node',
    packages: 'external',
    define: { PORTHOLE_VERSION: JSON.stringify(version) },
  },
  // porthole/sdk (package.json exports): dist/sdk.js, ESM, its dependencies left to the installer.
  sdk: {
    entryPoints: { sdk: `${root}client/sdk/index.ts` },
    outdir: `${root}dist`,
    platform: 'node',
    packages: 'external',
  },
  'gateway-host': {
    entryPoints: [`${root}client/dev/gateway-host.ts`],
    outfile: `${root}dist/gateway-host.js`,
    platform: 'node',
    packages: 'external',
  },
  bench: {
    entryPoints: [`${root}bench/run.ts`],
    outfile: `${root}dist/bench.js`,
    platform: 'node',
    packages: 'external',
  },
  profile: {
    entryPoints: [`${root}bench/profile.ts`],
    outfile: `${root}dist/profile.js`,
    platform: 'node',
    packages: 'external',
  },
};

/** The names `build({ only })` takes (scripts/pack-client.mjs builds the SDK only when there is one). */
export const targetNames = Object.keys(targets);

/** @param {{ only?: string[] }} [options] */
export async function build(options = {}) {
  const chosen = options.only ?? Object.keys(targets);
  await Promise.all(
    chosen.map((name) =>
      esbuild
        .build({
          bundle: true,
          format: 'esm',
          target: 'es2022',
          sourcemap: 'linked',
          logLevel: 'warning',
          ...targets[name],
        })
        // Loaded only for the SDK: building the CLI alone needs neither it nor TypeScript.
        .then(async () => (name === 'sdk' ? (await import('./sdk-types.mjs')).emitSdkTypes(root) : undefined)),
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  await build(only.length ? { only } : {});
}
