#!/usr/bin/env node
/**
 * The client-only artefact for VM images: dist/porthole-client-<version>.tgz, an npm package whose
 * `porthole` is the client CLI as one esbuild build with every pure-JS dependency bundled in. No
 * gateway code, no workerd, no Miniflare: `porthole dev` says it needs the full checkout (exit 1).
 *
 *   npm run pack:client            # → prints the tarball's path
 *   npm install -g dist/porthole-client-<version>.tgz     # or --prefix <dir>; puts `porthole` on PATH
 *
 * `bufferutil` (native WebSocket masking: ~190 vs ~134 MB/s bulk through the tunnel, see the
 * README's Benchmark) stays an optional dependency, loaded by ws when it installs and skipped when
 * it does not (`--omit=optional`, a platform without a prebuilt binary). When the repository
 * builds an SDK (dist/sdk.js and dist/sdk.d.ts), the package exports it as `porthole-client/sdk`,
 * its dependencies bundled too.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build, root, targetNames } from './build.mjs';

/** The package's name on disk and in the tarball's file name. */
export const CLIENT_PACKAGE = 'porthole-client';

const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Loaded at run time from the package's own node_modules (ws asks for them inside try/catch). */
const NATIVE_HELPERS = ['bufferutil', 'utf-8-validate'];

/**
 * ws is CommonJS and `require`s its optional helpers; in an ESM bundle `require` must exist for
 * that to reach node_modules (esbuild's shim would throw, and ws would silently use its JS fallback).
 */
const REQUIRE_BANNER =
  "import { createRequire as __portholeCreateRequire } from 'node:module';\n" +
  'const require = __portholeCreateRequire(import.meta.url);';

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'node',
  // ES modules first: jsonc-parser's `main` is a UMD build whose requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  external: NATIVE_HELPERS,
  banner: { js: REQUIRE_BANNER },
  minify: true,
  // Function and class names survive minification (stack traces; code that reads `.name`).
  keepNames: true,
  // The bundled packages' licences go in THIRD-PARTY-LICENSES.txt, whole.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/**
 * THIRD-PARTY-LICENSES.txt: name, version, licence and licence text of every package whose code
 * the bundles carry (read from esbuild's metafiles).
 * @param {import('esbuild').Metafile[]} metafiles
 */
function thirdPartyLicenses(metafiles) {
  const folders = new Set();
  for (const metafile of metafiles)
    for (const input of Object.keys(metafile.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) folders.add(join(root, match[1]));
    }
  const sections = [...folders].sort().map((folder) => {
    const { name, version, license } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const file = readdirSync(folder).find((entry) => /^(licen[cs]e|copying)/i.test(entry));
    const text = file
      ? readFileSync(join(folder, file), 'utf8').trim()
      : `(no licence file; package.json says ${license})`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
  return `The porthole-client bundles carry code of these packages:\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

/** Every `.d.ts` under `dir` (the SDK's declarations may be one file or a tree of them). */
function declarations(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .filter((path) => !relative(dir, path).startsWith('client-package'));
}

/**
 * Builds the package folder dist/client-package/ and packs it.
 * @returns {Promise<{ tarball: string, folder: string, sdk: boolean }>} absolute paths; `sdk` when it exports ./sdk.
 */
export async function packClient() {
  const dist = join(root, 'dist');
  const folder = join(dist, 'client-package');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });

  const cli = await esbuild.build({
    ...common,
    // The MCP server (`porthole mcp`) stays a chunk of its own, loaded by that command only.
    entryPoints: { cli: join(root, 'client', 'cli.ts') },
    outdir: folder,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { PORTHOLE_VERSION: JSON.stringify(project.version) },
  });

  // The SDK, when this repository builds one: its own build, then re-bundled with its dependencies.
  if (targetNames.includes('sdk')) await build({ only: ['sdk'] });
  const sdk = existsSync(join(dist, 'sdk.js')) && existsSync(join(dist, 'sdk.d.ts'));
  const metafiles = [cli.metafile];
  if (sdk) {
    const bundled = await esbuild.build({
      ...common,
      entryPoints: [join(dist, 'sdk.js')],
      outfile: join(folder, 'sdk.js'),
    });
    metafiles.push(bundled.metafile);
    for (const file of declarations(dist)) {
      const target = join(folder, relative(dist, file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
    }
  }

  writeFileSync(join(folder, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(metafiles));

  const manifest = {
    name: CLIENT_PACKAGE,
    version: project.version,
    description: 'Porthole client only (the `porthole` CLI): connect this machine to a Porthole gateway.',
    type: 'module',
    engines: project.engines,
    bin: { porthole: 'cli.js' },
    ...(sdk && {
      exports: { './sdk': { types: './sdk.d.ts', import: './sdk.js' }, './package.json': './package.json' },
    }),
    optionalDependencies: { bufferutil: project.dependencies.bufferutil },
  };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(folder, 'README.md'),
    `# ${CLIENT_PACKAGE} ${project.version}\n\nThe Porthole client alone: \`porthole connect\`, \`ports\`, \`share\`, \`mcp\` and every\n` +
      'other command but `porthole dev`, which runs the gateway and needs the full Porthole checkout.\n' +
      'See the Porthole README\'s "Install the client in a VM image".\n',
  );

  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', dist, '--loglevel=error'], {
    cwd: folder,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(output);
  return { tarball: join(dist, filename), folder, sdk };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { tarball } = await packClient();
  process.stdout.write(`${tarball}\n`);
}
