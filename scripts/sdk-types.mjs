/**
 * The operator SDK's type declarations (porthole/sdk's `types`), emitted by tsc from the sources:
 * dist/sdk-types/<path>.d.ts for client/sdk/index.ts and every file it reaches, and dist/sdk.d.ts
 * re-exporting the index. The sources import without extensions (moduleResolution `bundler`);
 * the emitted declarations get explicit `.js` (or `/index.js`) specifiers, so that a consumer
 * with any resolution mode (`node16`, `nodenext`, `bundler`) resolves them.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Relative specifiers in declarations: `from './x'`, `import('./x')`, `export * from '../x'`. */
const RELATIVE = /(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]*)\2/g;

/** `spec` (relative to the source file `from`) with the extension Node's ESM resolution needs. */
function withExtension(spec, from) {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec;
  const target = resolve(dirname(from), spec);
  if (existsSync(`${target}.ts`)) return `${spec}.js`;
  if (existsSync(join(target, 'index.ts'))) return `${spec}/index.js`;
  throw new Error(`sdk types: cannot resolve '${spec}' from ${from}`);
}

/**
 * Emit the declarations under `root`/dist (see above). Throws with tsc's diagnostics when the SDK
 * does not type-check.
 */
export function emitSdkTypes(root) {
  const outDir = join(root, 'dist', 'sdk-types');
  rmSync(outDir, { recursive: true, force: true });
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    types: ['node'],
    lib: ['lib.es2022.d.ts'],
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: root,
    outDir,
  };
  const program = ts.createProgram([join(root, 'client', 'sdk', 'index.ts')], options);
  const problems = ts.getPreEmitDiagnostics(program);
  const result = program.emit(
    undefined,
    (file, text) => {
      const source = join(root, relative(outDir, file)).replace(/\.d\.ts$/, '.ts');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        text.replace(RELATIVE, (_m, head, q, spec) => `${head}${q}${withExtension(spec, source)}${q}`),
      );
    },
    undefined,
    true,
  );
  const all = [...problems, ...result.diagnostics];
  if (all.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`sdk types:\n${ts.formatDiagnostics(all, host)}`);
  }
  writeFileSync(
    join(root, 'dist', 'sdk.d.ts'),
    "// porthole/sdk's types (scripts/sdk-types.mjs).\nexport * from './sdk-types/client/sdk/index.js';\n",
  );
}
