/**
 * One CLI command: its help text, its options, and what it runs. The wrapper
 * adds what every command shares, so no command repeats it: `--help`/`-h`
 * prints the help and exits 0, and for commands that talk to a running client
 * `--control <path>` names its socket (default: defaultControlPath()).
 */
import type { ParseArgsConfig } from 'node:util';
import { defaultControlPath } from '../control/paths';
import { parse } from './options';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** Runs the command with its arguments (after the command name); resolves with the exit code. Throws a UsageError for bad usage. */
  run(args: string[]): Promise<number>;
  /** The full help text, ending in a newline. */
  help: string;
}

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;
const controlOption = { control: { type: 'string' } } as const;

/** What parseArgs gives for these options (values, positionals). */
export type Parsed<T extends Options> = ReturnType<typeof parse<T>>;

/** A command that does not talk to a running client. */
export function command<T extends Options>(
  help: string,
  options: T,
  run: (parsed: Parsed<T & typeof helpOption>) => Promise<number>,
): Command {
  return {
    help,
    run: async (args) => {
      const parsed = parse(args, { ...options, ...helpOption });
      if ((parsed.values as { help?: boolean }).help) {
        process.stdout.write(help);
        return 0;
      }
      return run(parsed);
    },
  };
}

/** A command that talks to (or is) a running client: `control` is the control socket's path. */
export function clientCommand<T extends Options>(
  help: string,
  options: T,
  run: (parsed: Parsed<T & typeof helpOption & typeof controlOption>, control: string) => Promise<number>,
): Command {
  return command(help, { ...options, ...controlOption }, (parsed) =>
    run(parsed, (parsed.values as { control?: string }).control ?? defaultControlPath()),
  );
}
