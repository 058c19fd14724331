/**
 * One CLI command: its help text, its options, and what it runs. The wrapper
 * adds what every command shares, so no command repeats it: `--help`/`-h`
 * prints the help and exits 0, and for commands that talk to a running client
 * `--control <path>` names its socket (default: defaultControlPath()). Every
 * command prints through the Output it is given (output.ts: the `--json`
 * contract, warnings, exit codes).
 */
import type { ParseArgsConfig } from 'node:util';
import { defaultControlPath } from '../control/paths';
import { parse } from './options';
import type { Output } from './output';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /**
   * Runs the command with its arguments (after the command name), printing through `out`;
   * resolves with the exit code. Throws a UsageError for bad usage (exit 2), any other error for a
   * failure (exit 1): the entry point reports both through `out.fail`.
   */
  run(args: string[], out: Output): Promise<number>;
  /** The full help text, ending in a newline. */
  help: string;
  /** True for commands whose `--json` output is NDJSON events (dev, connect). */
  stream?: boolean;
}

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;
const controlOption = { control: { type: 'string' } } as const;

/** What parseArgs gives for these options (values, positionals). */
export type Parsed<T extends Options> = ReturnType<typeof parse<T>>;

/** A command that does not talk to a running client. */
export function command<T extends Options>(
  help: string,
  options: T,
  run: (parsed: Parsed<T & typeof helpOption>, out: Output) => Promise<number>,
  extra: { stream?: boolean } = {},
): Command {
  return {
    help,
    ...extra,
    run: async (args, out) => {
      const parsed = parse(args, { ...options, ...helpOption });
      if ((parsed.values as { help?: boolean }).help) {
        process.stdout.write(help);
        return 0;
      }
      return run(parsed, out);
    },
  };
}

/** A command that talks to (or is) a running client: `control` is the control socket's path. */
export function clientCommand<T extends Options>(
  help: string,
  options: T,
  run: (parsed: Parsed<T & typeof helpOption & typeof controlOption>, control: string, out: Output) => Promise<number>,
  extra: { stream?: boolean } = {},
): Command {
  return command(
    help,
    { ...options, ...controlOption },
    (parsed, out) => run(parsed, (parsed.values as { control?: string }).control ?? defaultControlPath(), out),
    extra,
  );
}
