/**
 * What names a process beyond its pid. Pids are reused: after a reboot, by
 * any process once the old one is gone, and always in a container, where the
 * entrypoint is pid 1 on every start. A lock that names its holder by pid
 * alone is held forever by whoever gets that pid next (a restarted
 * `porthole dev` in its container finds "another dev, pid 1": itself). So a
 * holder is written as `<pid> <start> <boot>`: its start time (clock ticks
 * after boot, /proc/<pid>/stat field 22) and the boot id, which together
 * with the pid name one process for good. Linux only; elsewhere (or with no
 * /proc) the pid alone is written and read, as before.
 */
import { readFileSync } from 'node:fs';
import { debuglog } from 'node:util';

const log = debuglog('porthole');

/** The process a lock file names. */
export interface Holder {
  pid: number;
  /** Its start time, clock ticks after boot (a decimal string); absent in a pid-only (older) file. */
  start?: string;
  /** The boot id it started in (/proc/sys/kernel/random/boot_id); absent with `start`. */
  boot?: string;
}

/** Read a small /proc file (NODE_DEBUG=porthole logs why not); undefined when it is not there or not ours to read. */
function proc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // No /proc (not Linux), a gone process, or another user's under hidepid: the pid alone decides.
    log('lock: cannot read %s: %s', path, (error as Error).message);
    return undefined;
  }
}

/** This boot's id, or undefined without /proc. */
export function bootId(): string | undefined {
  return proc('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/**
 * The start time of `pid` (field 22 of /proc/<pid>/stat, counted after the
 * last ')': the name before it, field 2, may hold spaces and parentheses), or
 * undefined when it cannot be read.
 */
export function startTime(pid: number): string | undefined {
  const stat = proc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // After ") " come fields 3, 4, …: field 22 is the 20th.
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : undefined;
}

/** This process as a lock file names it: the pid, with its start time and boot id when known. */
export function self(): Holder {
  // /proc/<pid>, not /proc/self: a taker reads /proc/<pid> too, so both read the same /proc.
  const start = startTime(process.pid);
  const boot = bootId();
  return start !== undefined && boot !== undefined ? { pid: process.pid, start, boot } : { pid: process.pid };
}

/** A holder as written in a lock file (one line). */
export function format(holder: Holder): string {
  return holder.start === undefined ? `${holder.pid}\n` : `${holder.pid} ${holder.start} ${holder.boot}\n`;
}

/** A lock file's text as a holder; null when it names none (empty, garbage). */
export function parse(text: string): Holder | null {
  const match = /^([1-9][0-9]*)(?: ([0-9]+) ([0-9a-f-]+))?$/.exec(text.trim());
  if (!match) return null;
  const pid = Number(match[1]);
  return match[2] === undefined ? { pid } : { pid, start: match[2], boot: match[3] };
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `holder` names still runs: its pid is alive and, when
 * the holder has a start time, in this boot with that start time. A pid-only
 * holder, or one whose process cannot be read (another user's under
 * hidepid), counts as running whenever its pid is alive: never a guess that
 * would let two holders in.
 */
export function running(holder: Holder): boolean {
  if (!alive(holder.pid)) return false;
  if (holder.start === undefined) return true;
  const boot = bootId();
  if (boot === undefined) return true;
  if (boot !== holder.boot) return false; // Rebooted since: that pid is someone else now.
  const start = startTime(holder.pid);
  return start === undefined || start === holder.start;
}

/** Whether two holders name the same process. */
export function same(a: Holder, b: Holder): boolean {
  return a.pid === b.pid && a.start === b.start && a.boot === b.boot;
}
