/**
 * Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6: read and parse
 * only (no shelling out to ss or lsof), so a poll costs two small file reads.
 */
import { readFileSync } from 'node:fs';

export interface ListeningSocket {
  port: number;
  /** Printable local address: 127.0.0.1, 0.0.0.0, ::1, ::, … */
  address: string;
  family: 4 | 6;
  inode: number;
}

const LISTEN = '0A';

/** /proc writes each 32-bit word of an address in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const out: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) out.push(Number.parseInt(word.slice(b, b + 2), 16));
  }
  return out;
}

function formatV6(bytes: number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Collapse the longest run of zero groups, as inet_ntop does.
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  if (bestLength < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

/** Parse the text of /proc/net/tcp (family 4) or tcp6 (family 6); LISTEN sockets only. */
export function parseProcNet(text: string, family: 4 | 6): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const fields = (lines[i] as string).trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const [addressHex, portHex] = (fields[1] as string).split(':') as [string, string];
    const bytes = wordBytes(addressHex);
    const address = family === 4 ? bytes.join('.') : formatV6(bytes);
    sockets.push({ port: Number.parseInt(portHex, 16), address, family, inode: Number(fields[9]) });
  }
  return sockets;
}

/** Loopback or wildcard: the addresses a local origin can be reached on from this machine. */
export function isLocalOrWildcard(address: string): boolean {
  return (
    address === '0.0.0.0' ||
    address.startsWith('127.') ||
    address === '::' ||
    address === '::1' ||
    address.startsWith('::ffff:127.') ||
    /^::ffff:7f/.test(address) ||
    address === '::ffff:0:0'
  );
}

/**
 * Every listening TCP socket on this machine, from `<root>/net/tcp` and
 * `<root>/net/tcp6`. A host without IPv6 has no tcp6: one file is enough.
 * Throws the first file's error (ENOENT off Linux, EACCES under a restricted
 * /proc) when neither can be read. Synchronous: procfs answers in about a
 * millisecond; the promise API adds a thread-pool hop.
 */
export function readListening(root = '/proc'): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  const errors: Error[] = [];
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    try {
      sockets.push(...parseProcNet(readFileSync(`${root}/net/${file}`, 'utf8'), family));
    } catch (error) {
      errors.push(error as Error);
    }
  }
  if (errors.length === 2) throw new Error(`cannot list listening ports: ${(errors[0] as Error).message}`);
  return sockets;
}
