/**
 * Where a command takes a token from: the environment, a file, or (with a
 * warning) the command line. Every local user can read another's argv in `ps`
 * or /proc/<pid>/cmdline, so a token in argv is readable by all of them for as
 * long as the command runs; a file is checked like a secret (this user's own,
 * no group or other permission bits, a regular file, not a symlink, in folders
 * no other user may write) on the descriptor it is read from.
 */
import { readPrivateFile } from '../local/private-path';

/** One token a command needs, and the three ways to give it. */
export interface TokenSource {
  /** The flag that carries it in argv, e.g. `--token`. The file flag is this plus `-file`. */
  flag: string;
  /** The environment variable, e.g. `PORTHOLE_TOKEN`. */
  env: string;
  /** The value given with `flag`, if any. */
  argv: string | undefined;
  /** The path given with `<flag>-file`, if any. */
  file: string | undefined;
}

/**
 * Read a token file: checked first (UnsafePathError naming the fix when
 * others may read it, it is not yours or not a regular file), then read with trailing newlines
 * (`\n`, `\r\n`) and spaces trimmed. Throws an Error when it is missing or
 * holds nothing.
 */
export function readTokenFile(path: string): string {
  const text = readPrivateFile(path);
  if (text === null) throw new Error(`${path}: no such file`);
  const token = text.trimEnd();
  if (!token) throw new Error(`${path} is empty`);
  return token;
}

/**
 * The token from argv, else the file, else the environment; undefined when
 * none is given. Giving it both in argv and as a file is a problem (pushed,
 * as is an unreadable or unsafe file); a token in argv calls `warn` with why
 * it should not be there.
 */
export function resolveToken(
  source: TokenSource,
  problems: string[],
  warn: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (source.argv !== undefined && source.file !== undefined) {
    problems.push(`${source.flag} and ${source.flag}-file: give one, not both`);
    return undefined;
  }
  if (source.argv !== undefined) {
    warn(
      `warning: ${source.flag} on the command line can be read by other local users (ps); ` +
        `use ${source.env} or ${source.flag}-file <path>`,
    );
    return source.argv;
  }
  if (source.file !== undefined) {
    try {
      return readTokenFile(source.file);
    } catch (error) {
      // Unsafe (UnsafePathError, with the fix), missing, empty or unreadable: all said the same way.
      problems.push(`${source.flag}-file: ${(error as Error).message}`);
      return undefined;
    }
  }
  return env[source.env] || undefined;
}
