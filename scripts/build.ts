/** Bundle the gateway (for workerd) and the CLI (for Node) with esbuild. */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const gatewayBundle = `${root}dist/gateway.js`;

type Target = 'gateway' | 'cli' | 'bench';

const targets: Record<Target, esbuild.BuildOptions> = {
  gateway: {
    entryPoints: [`${root}gateway/index.ts`],
    outfile: gatewayBundle,
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
  },
  cli: {
    entryPoints: [`${root}client/cli.ts`],
    outfile: `${root}dist/cli.js`,
    platform: 'node',
    packages: 'external',
  },
  bench: {
    entryPoints: [`${root}bench/run.ts`],
    outfile: `${root}dist/bench.js`,
    platform: 'node',
    packages: 'external',
  },
};

export async function build(options: { only?: Target[] } = {}): Promise<void> {
  const chosen = options.only ?? (Object.keys(targets) as Target[]);
  await Promise.all(
    chosen.map((name) =>
      esbuild.build({
        bundle: true,
        format: 'esm',
        target: 'es2022',
        sourcemap: 'linked',
        logLevel: 'warning',
        ...targets[name],
      }),
    ),
  );
}
