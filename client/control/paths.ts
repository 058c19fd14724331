/**
 * Where the local control API listens: a unix socket in the user's runtime
 * directory, in a folder only that user can enter. File permissions are the
 * access control: no token to leak, no port for other users to reach.
 */
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** $PORTHOLE_CONTROL, else `$XDG_RUNTIME_DIR/porthole/control.sock`, else `<tmpdir>/porthole-<uid>/porthole/control.sock`. */
export function defaultControlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTHOLE_CONTROL) return env.PORTHOLE_CONTROL;
  const base = env.XDG_RUNTIME_DIR || join(tmpdir(), `porthole-${userInfo().uid}`);
  return join(base, 'porthole', 'control.sock');
}
