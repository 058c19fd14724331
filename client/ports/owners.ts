/**
 * Which process owns a socket: socket inode → /proc/<pid>/fd/* → comm (or,
 * where comm names a thread, the program in argv[0]).
 * Only run for sockets not seen before, and only as far as
 * permissions allow (another user's processes stay anonymous). Synchronous on
 * purpose: procfs answers from memory in microseconds, while the promise API
 * pays a thread-pool hop per call (≈30 ms for a scan of 80 processes, against
 * ≈2 ms). Newest processes first: a fresh server is usually a fresh process.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { debuglog } from 'node:util';
import { cleanProcessName } from '../../protocol/process-name';

const log = debuglog('porthole');

export interface SocketOwner {
  pid: number;
  /**
   * Short process name (comm, at most 15 bytes), e.g. node, python3, vite, cleaned of control and
   * direction characters (protocol/process-name.ts); `pid <n>` when unreadable or nothing is left.
   */
  name: string;
}

/**
 * The owner of each socket inode that could be found; an inode whose process
 * is gone or not ours to read is missing from the map. `root` defaults to /proc.
 */
export function findOwners(inodes: Set<number>, root = '/proc'): Map<number, SocketOwner> {
  const found = new Map<number, SocketOwner>();
  if (inodes.size === 0) return found;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: number[];
  try {
    pids = readdirSync(root)
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .sort((a, b) => b - a);
  } catch (error) {
    log('cannot list processes in %s: %s', root, (error as Error).message);
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${root}/${pid}/fd`);
    } catch {
      continue; // Gone, or not ours to read.
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${root}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(target)) continue;
      const inode = Number(target.slice(8, -1));
      if (!found.has(inode)) found.set(inode, { pid, name: processName(root, pid) });
      if (found.size === inodes.size) return found;
    }
  }
  return found;
}

/**
 * Names the kernel keeps for a process that are a runtime's name for its main thread, not the program:
 * Node 24 calls it `MainThread`, Node 26 `node-MainThread` (both rename the process's comm).
 */
const THREAD_NAMES = /^(?:node-)?MainThread$/;

function processName(root: string, pid: number): string {
  let comm: string;
  try {
    comm = readFileSync(`${root}/${pid}/comm`, 'utf8').trim();
  } catch {
    return `pid ${pid}`; // Exited since its fd was read.
  }
  const name = THREAD_NAMES.test(comm) ? (programName(root, pid) ?? comm) : comm;
  // A process picks its own name: no terminal escapes into the live table, at most 64 characters.
  return cleanProcessName(name) ?? `pid ${pid}`;
}

/** The file name of argv[0] (`/usr/bin/node` → `node`), or null when the command line is unreadable or empty. */
function programName(root: string, pid: number): string | null {
  try {
    const argv0 = readFileSync(`${root}/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0.split('/').pop() || null;
  } catch {
    return null;
  }
}
