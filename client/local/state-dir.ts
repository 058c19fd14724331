/**
 * Where `porthole dev` keeps its secrets and session state: a per-user folder,
 * never the current one. Run from an app's folder, `dev` used to write
 * `.dev.vars` and `.porthole/` into that app's repository, where a `git add .`
 * or a shared checkout exposed the gateway's keys. Pure path rules here; the
 * folder itself is created and checked by ensurePrivateFolder.
 */
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The files inside a state folder. */
export interface StatePaths {
  /** The folder itself (0700). */
  root: string;
  /** The gateway's secrets, dotenv syntax (0600): ADMIN_TOKEN, LABEL_KEY, TOKEN_SECRET. */
  secrets: string;
  /** The local session and its token, JSON (0600). */
  session: string;
  /** The Durable Objects' storage of the local gateway (a folder). */
  persist: string;
}

/** No absolute home folder to put the default state folder in. */
export class NoHomeError extends Error {
  readonly code = 'no_home';
  constructor(home: string, recorded: string) {
    super(
      `no absolute home folder for the state folder ($HOME is '${home}', the password database has ` +
        `'${recorded}'); ` +
        `set HOME or XDG_STATE_HOME to an absolute path, or pass --state-dir <dir>`,
    );
    this.name = 'NoHomeError';
  }
}

/**
 * This user's home folder, always absolute: $HOME when absolute, else the
 * password database's. A relative one would put the state folder in the
 * current folder. Throws NoHomeError when neither is absolute.
 */
export function absoluteHome(): string {
  const home = homedir();
  if (isAbsolute(home)) return home;
  let recorded = '';
  try {
    recorded = userInfo().homedir;
  } catch {
    // No entry for this uid (a container's arbitrary user): refused below with the fix.
  }
  if (isAbsolute(recorded)) return recorded;
  throw new NoHomeError(home, recorded);
}

/**
 * The default state folder: `$XDG_STATE_HOME/porthole`, else
 * `<home>/.local/state/porthole` (home: absoluteHome(), read only when
 * needed). A relative XDG_STATE_HOME is ignored, as the XDG Base Directory
 * spec says (it would put state in the current folder). Throws NoHomeError.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home?: string): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'porthole');
  return join(home ?? absoluteHome(), '.local', 'state', 'porthole');
}

/** The state folder `--state-dir` names (resolved against `cwd`), else the default; and its files. */
export function statePaths(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StatePaths {
  const root = flag === undefined ? defaultStateDir(env) : resolve(cwd, flag);
  return {
    root,
    secrets: join(root, 'dev.vars'),
    session: join(root, 'session.json'),
    persist: join(root, 'state'),
  };
}

/** Names an older porthole dev wrote into the folder it ran from. */
const LEGACY = ['.dev.vars', '.porthole'] as const;

/**
 * The legacy state (`.dev.vars`, `.porthole/`) present in `cwd`, other than
 * the state folder in use: porthole no longer reads or writes it, and says so
 * once per run so the user can move or delete it.
 */
export function legacyStateIn(cwd: string, state: StatePaths): string[] {
  return LEGACY.map((name) => join(cwd, name)).filter((path) => path !== state.root && existsSync(path));
}
