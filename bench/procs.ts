/** Process helpers for the benchmark: peak RSS from /proc, child discovery. */
import { readdirSync, readFileSync } from 'node:fs';

/** Peak resident set (VmHWM) of a process, in MiB; NaN if unreadable. */
export function peakRssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Pids of descendants of `parent` whose command name is `name`. */
export function descendantsNamed(parent: number, name: string): number[] {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      names.set(Number(entry), comm);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Process ended meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [parent];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      if (names.get(child) === name) found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Current resident set (VmRSS) of a process, in MiB; NaN if unreadable. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
