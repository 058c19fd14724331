/**
 * Which process owns a socket: socket inode → /proc/<pid>/fd/* → comm and
 * cmdline. Only run for sockets not seen before, and only as far as
 * permissions allow (another user's processes stay anonymous).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface SocketOwner {
  pid: number;
  /** Short process name (comm), e.g. node, python3, vite. */
  name: string;
  /** Full command line, space-joined. */
  command: string;
}

export async function findOwners(inodes: Set<number>, root = '/proc'): Promise<Map<number, SocketOwner>> {
  const found = new Map<number, SocketOwner>();
  if (inodes.size === 0) return found;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = (await readdir(root)).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`${root}/${pid}/fd`);
    } catch {
      continue; // Gone, or not ours to read.
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = await readlink(`${root}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(target)) continue;
      const inode = Number(target.slice(8, -1));
      if (!found.has(inode)) found.set(inode, await describe(root, Number(pid)));
      if (found.size === inodes.size) return found;
    }
  }
  return found;
}

async function describe(root: string, pid: number): Promise<SocketOwner> {
  const [comm, cmdline] = await Promise.all([
    readFile(`${root}/${pid}/comm`, 'utf8').catch(() => ''),
    readFile(`${root}/${pid}/cmdline`, 'utf8').catch(() => ''),
  ]);
  return { pid, name: comm.trim() || `pid ${pid}`, command: cmdline.split('\0').filter(Boolean).join(' ') };
}
