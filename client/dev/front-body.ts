/**
 * The front server's HTTP plumbing (front.ts, front-upgrade.ts, front-refusal.ts): lingering close for
 * an answer that came before the viewer's upload ended, header lines in the form Node's client takes,
 * and response heads written on a raw socket.
 */
import type http from 'node:http';

/** How long an upload the answer came before is read and discarded before the connection closes, ms. */
export const LINGER_MS = 5_000;

/**
 * Ends `res` once the viewer's request has arrived whole. An answer that came before the upload ended
 * (a 413, a 401) is written at once, but the connection is not closed under a viewer still sending:
 * its kernel would answer the unread bytes with a reset that can destroy the answer before the viewer
 * reads it. The rest of the upload is read and discarded for up to LINGER_MS, as nginx's
 * lingering_close does, then the answer ends regardless.
 */
export function lingerThenEnd(req: http.IncomingMessage, res: http.ServerResponse, up: http.ClientRequest): void {
  if (req.complete) {
    res.end();
    return;
  }
  req.unpipe(up);
  up.destroy();
  req.resume();
  const end = () => {
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(end, LINGER_MS);
  req.once('end', end);
  req.once('close', end);
}

/** Header lines as Node's object form: repeated names (in any case) as one array, in order. */
export function headerObject(lines: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const names = new Map<string, string>();
  for (let i = 0; i < lines.length; i += 2) {
    const lower = lines[i]!.toLowerCase();
    const name = names.get(lower) ?? lines[i]!;
    names.set(lower, name);
    const value = lines[i + 1]!;
    const seen = out[name];
    // Single values stay strings: Node's agent reads `host` as one.
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** An HTTP/1.1 response head for a raw socket: status line and `[name, value, …]` lines, latin1 as Node keeps raw header bytes. */
export function rawHead(status: number, reason: string, raw: string[], extra: string[] = []): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  const all = [...raw, ...extra];
  for (let i = 0; i < all.length; i += 2) lines.push(`${all[i]}: ${all[i + 1]}`);
  lines.push('', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
