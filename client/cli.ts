#!/usr/bin/env node
/** The porthole command line. */
import { connect } from './cli/connect';
import { dev } from './cli/dev';
import { expose, unexpose } from './cli/expose';
import type { Command } from './cli/command';
import { MAIN_HELP } from './cli/help';
import { UsageError } from './cli/options';
import { ports } from './cli/ports';
import { session } from './cli/session';
import { signout } from './cli/signout';
import { dashboard, link, links, login, revoke, share, token } from './cli/share';
import { wait } from './cli/wait';

const commands: Record<string, Command> = {
  dev,
  connect,
  ports,
  wait,
  expose,
  unexpose,
  session,
  share,
  link,
  links,
  revoke,
  login,
  token,
  dashboard,
  signout,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(MAIN_HELP);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    process.stdout.write(commands[rest[0] ?? '']?.help ?? MAIN_HELP);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`porthole: unknown command '${name}'\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`porthole ${name}: ${error.message}\nRun 'porthole ${name} --help' for usage.\n`);
      return 2;
    }
    process.stderr.write(`porthole ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

/** Leave once the command is done, even if a library still holds a handle open. */
function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

// A reader that stops early (`porthole ports --json | head -1`) is a normal end, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(finish, (error: unknown) => {
  process.stderr.write(`porthole: ${String(error)}\n`);
  finish(1);
});
