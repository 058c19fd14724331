/**
 * Where the settings files are. From the working folder upwards, each folder
 * is checked for porthole.json and a devcontainer.json, in the places the
 * devcontainer spec names: `.devcontainer/devcontainer.json`, then
 * `.devcontainer.json`, then `.devcontainer/<name>/devcontainer.json` when
 * exactly one such folder has one (several: none is chosen, a warning says
 * so, as the devcontainer CLI would ask which). The search stops at the first
 * folder with either file, at the repository root (a folder holding `.git`)
 * so that nothing above the repository is read, or at the filesystem root.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PORTHOLE_FILE } from './porthole-file';

export interface Found {
  /** Absolute path of the devcontainer.json to read, if any. */
  devcontainer?: string;
  /** Absolute path of porthole.json, if any. */
  porthole?: string;
  /** Folders to watch (absolute): a settings file created, changed or removed in any of them may change what is found. */
  watch: string[];
  /** Why a file that exists is not read (several named devcontainer configurations). */
  warnings: string[];
}

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The `.devcontainer/<name>/devcontainer.json` files in `folder`, sorted by name. */
function namedConfigs(folder: string): string[] {
  const base = join(folder, '.devcontainer');
  try {
    return readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isFile(join(base, entry.name, 'devcontainer.json')))
      .map((entry) => join(base, entry.name, 'devcontainer.json'))
      .sort();
  } catch {
    return []; // No .devcontainer folder (or not readable): nothing named there.
  }
}

/** The folders inside `folder` (a devcontainer.json may appear in any of them later). */
function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(folder, entry.name));
  } catch {
    return []; // Removed since it was seen, or not readable.
  }
}

/** The devcontainer.json of one folder, as the spec orders the places; undefined when none (or several named ones). */
function devcontainerIn(folder: string, warnings: string[], shownFrom: string): string | undefined {
  for (const candidate of [join(folder, '.devcontainer', 'devcontainer.json'), join(folder, '.devcontainer.json')]) {
    if (isFile(candidate)) return candidate;
  }
  const named = namedConfigs(folder);
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    const list = named.map((path) => relative(shownFrom, path) || path).join(', ');
    warnings.push(
      `several devcontainer configurations (${list}): none is read; keep one, or put the ports in ${PORTHOLE_FILE}`,
    );
  }
  return undefined;
}

/** Search from `start` (default the working folder) upwards; see the file's header for the order and where it stops. */
export function discover(start: string = process.cwd()): Found {
  const found: Found = { watch: [], warnings: [] };
  let folder = resolve(start);
  for (;;) {
    found.watch.push(folder);
    const devcontainerFolder = join(folder, '.devcontainer');
    if (isFolder(devcontainerFolder)) {
      found.watch.push(devcontainerFolder);
      for (const named of subfolders(devcontainerFolder)) found.watch.push(named);
    }
    const porthole = join(folder, PORTHOLE_FILE);
    if (isFile(porthole)) found.porthole = porthole;
    const devcontainer = devcontainerIn(folder, found.warnings, start);
    if (devcontainer) found.devcontainer = devcontainer;
    const parent = dirname(folder);
    if (found.porthole || found.devcontainer || existsSync(join(folder, '.git')) || parent === folder) return found;
    folder = parent;
  }
}
