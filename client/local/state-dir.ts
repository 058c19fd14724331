/**
 * Where `porthole dev` keeps its secrets and session state: a per-user folder,
 * never the current one. Run from an app's folder, `dev` used to write
 * `.dev.vars` and `.porthole/` into that app's repository, where a `git add .`
 * or a shared checkout exposed the gateway's keys. Pure path rules here; the
 * folder itself is created and checked by ensurePrivateFolder.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
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

/**
 * The default state folder: `$XDG_STATE_HOME/porthole`, else
 * `<home>/.local/state/porthole`. A relative XDG_STATE_HOME is ignored, as the
 * XDG Base Directory spec says (it would put state in the current folder).
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'porthole');
  return join(home, '.local', 'state', 'porthole');
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
