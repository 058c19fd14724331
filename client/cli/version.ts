/** porthole version / porthole --version: the version of package.json, bundled in at build time. */
import { command } from './command';
import { UsageError } from './options';

// Replaced by scripts/build.mjs (esbuild `define`) with package.json's version.
declare const PORTHOLE_VERSION: string | undefined;

/** This CLI's version, e.g. `0.1.0`; `0.0.0-dev` when run from source without the build. */
export const VERSION: string = typeof PORTHOLE_VERSION === 'string' ? PORTHOLE_VERSION : '0.0.0-dev';

export const VERSION_HELP = `Usage: porthole version [--json]
       porthole --version [--json]

Prints the version of this porthole CLI.

Options:
  --json                Print {"version"}
  -h, --help            Show this help
`;

export const version = command(VERSION_HELP, { json: { type: 'boolean' } } as const, async ({ positionals }, out) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  out.result({ version: VERSION }, `porthole ${VERSION}`);
  return 0;
});
