/**
 * The platform's way to open a URL in a browser: $BROWSER when set (the
 * first of a colon-separated list, as xdg-utils reads it; `%s` stands for the
 * URL), else `open` on macOS or `xdg-open` elsewhere, when found on PATH.
 * None on a headless machine without them: the caller says so once.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface Opener {
  /** The program (a name found on PATH, or a path). */
  command: string;
  /** Its arguments; `%s` is replaced by the URL, or the URL is appended when none has it. */
  args: string[];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `name` is an executable file on `path` (a PATH value), or is one itself when it holds a slash. */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  if (name.includes('/')) return executable(isAbsolute(name) ? name : join(process.cwd(), name));
  return path.split(delimiter).some((folder) => folder !== '' && executable(join(folder, name)));
}

/** The opener for this machine, or null when there is none. `env` and `platform` default to this process's. */
export function findOpener(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Opener | null {
  const browser = env.BROWSER?.split(':')[0]?.trim();
  if (browser) {
    const [command, ...args] = browser.split(/\s+/) as [string, ...string[]];
    return onPath(command, env.PATH) ? { command, args } : null;
  }
  const command = platform === 'darwin' ? 'open' : 'xdg-open';
  return onPath(command, env.PATH) ? { command, args: [] } : null;
}

/** Open `url` with `opener`, detached: the browser outlives nothing of ours. `onError` hears a failure to start it. */
export function openUrl(opener: Opener, url: string, onError: (error: Error) => void = () => {}): void {
  const args = opener.args.some((arg) => arg.includes('%s'))
    ? opener.args.map((arg) => arg.replaceAll('%s', url))
    : [...opener.args, url];
  const child = spawn(opener.command, args, { stdio: 'ignore', detached: true });
  child.once('error', onError);
  child.unref();
}
