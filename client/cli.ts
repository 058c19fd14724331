#!/usr/bin/env node
/** The porthole command line. */
import { connect } from './cli/connect';
import { dev } from './cli/dev';
import { expose, unexpose } from './cli/expose';
import { forward } from './cli/forward';
import type { Command } from './cli/command';
import { MAIN_HELP } from './cli/help';
import { mcp } from './cli/mcp';
import { createOutput, wantsJson } from './cli/output';
import { ports } from './cli/ports';
import { replay } from './cli/replay';
import { requests } from './cli/requests';
import { session } from './cli/session';
import { signout } from './cli/signout';
import { dashboard, link, links, login, revoke, share, token } from './cli/share';
import { version } from './cli/version';
import { wait } from './cli/wait';

const commands: Record<string, Command> = {
  dev,
  connect,
  ports,
  wait,
  expose,
  unexpose,
  session,
  forward,
  share,
  link,
  links,
  revoke,
  requests,
  replay,
  login,
  token,
  dashboard,
  signout,
  mcp,
  version,
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (!first || first === '--help' || first === '-h') {
    process.stdout.write(MAIN_HELP);
    return first ? 0 : 2;
  }
  // `porthole --version [--json]` is `porthole version [--json]`.
  const name = first === '--version' ? 'version' : first;
  const command = commands[name];
  // `porthole --json` alone names no command: it is a flag, so JSON is wanted.
  const out = createOutput(name, wantsJson(rest) || name === '--json', command?.stream ?? false);
  if (name === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !commands[topic]) {
      process.stderr.write(`porthole: unknown command '${topic}'\n\n${MAIN_HELP}`);
      return 2;
    }
    process.stdout.write(topic === undefined ? MAIN_HELP : (commands[topic] as Command).help);
    return 0;
  }
  if (!command) {
    // `porthole nosuch --json` still answers in JSON.
    const message = name.startsWith('-') ? `give a command before ${name}` : `unknown command '${name}'`;
    if (out.json) process.stdout.write(`${JSON.stringify({ error: 'usage', message, help: 'porthole --help' })}\n`);
    else process.stderr.write(`porthole: ${message}\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    return await command.run(rest, out);
  } catch (error) {
    return out.fail(error);
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
