/** Processes of this machine from /proc, for tests that check what a command leaves running. */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose parent is `parent` (from /proc). */
export function childrenOf(parent: number): number[] {
  return procStats()
    .filter((p) => p.ppid === parent)
    .map((p) => p.pid);
}

/** Pids in the process group `group` (from /proc). */
export function inGroup(group: number): number[] {
  return procStats()
    .filter((p) => p.pgrp === group)
    .map((p) => p.pid);
}

function procStats(): { pid: number; ppid: number; pgrp: number }[] {
  const out: { pid: number; ppid: number; pgrp: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(entry), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

/** A process's command line (arguments joined by NUL), empty once it has ended. */
export const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
