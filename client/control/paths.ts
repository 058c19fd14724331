/**
 * Where the local control API listens: a unix socket in a folder only this
 * user can enter. File permissions are the access control: no token to leak,
 * no port for other users to reach. So the folder is checked on every start
 * and every CLI use (owned by this user, 0700, not a symlink), and the CLI
 * checks who owns the socket before it believes an answer from it: another
 * local user who pre-created either could answer `porthole login` with links
 * of their choosing.
 */
import { lstatSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { checkPrivate, ensurePrivateFolder, UnsafePathError } from '../local/private-path';

/**
 * $PORTHOLE_CONTROL, else `$XDG_RUNTIME_DIR/porthole/control.sock`, else
 * `<tmpdir>/porthole-<uid>/control.sock` (a folder another user could create
 * first, which is why it is checked, never trusted). A relative
 * XDG_RUNTIME_DIR is ignored (XDG spec), and a relative temporary folder
 * ($TMPDIR) gives way to /tmp: either would put the socket in the current
 * folder, a different one for every folder the CLI runs from.
 */
export function defaultControlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTHOLE_CONTROL) return env.PORTHOLE_CONTROL;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'porthole', 'control.sock');
  const temp = tmpdir();
  return join(isAbsolute(temp) ? temp : '/tmp', `porthole-${userInfo().uid}`, 'control.sock');
}

/** For the client that serves `socket`: create its folder 0700 if missing, then check it. Throws UnsafePathError. */
export function prepareControlFolder(socket: string): void {
  ensurePrivateFolder(dirname(socket));
}

/**
 * For the CLI before it talks to `socket`: its folder, if there, is private
 * and this user's; the socket, if there, is a socket this user owns (lstat,
 * so a link is refused). A missing one is left to the connection to report.
 * Throws UnsafePathError.
 */
export function checkControlSocket(socket: string): void {
  checkPrivate(dirname(socket), 'folder');
  let stat;
  try {
    stat = lstatSync(socket);
  } catch {
    return; // Missing: "no porthole client is running" comes from the connection.
  }
  const me = process.getuid?.();
  if (!stat.isSocket()) throw new UnsafePathError(`refusing ${socket}: not a socket; remove it`);
  if (me !== undefined && stat.uid !== me) {
    throw new UnsafePathError(`refusing ${socket}: owned by uid ${stat.uid}, not by you (uid ${me}); remove it`);
  }
}
