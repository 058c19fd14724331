/**
 * A browser's navigations without a browser: cookies kept per host (as a browser keeps host-only
 * cookies), 303s followed by hand (at most 10), `Sec-Fetch-*` of a top-level navigation.
 */
import type { LocalGateway } from '../../client/dev/gateway';
import { type Reply, request } from './harness';

/** What a browser sends with a top-level navigation. */
export const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

/** Cookies by host, `name → value`. */
export class HostJar {
  readonly hosts = new Map<string, Map<string, string>>();

  /** Takes in a reply's Set-Cookie lines for `host`; Max-Age=0 deletes. */
  store(host: string, lines: string[] | undefined): void {
    for (const line of lines ?? []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const cookies = this.hosts.get(host) ?? new Map<string, string>();
      if (/Max-Age=0/i.test(line)) cookies.delete(pair.slice(0, eq));
      else cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      this.hosts.set(host, cookies);
    }
  }

  /** The Cookie header a browser sends `host`, as headers to spread ({} when none). */
  header(host: string): Record<string, string> {
    const pairs = [...(this.hosts.get(host) ?? new Map<string, string>()).entries()].map(([n, v]) => `${n}=${v}`);
    return pairs.length ? { cookie: pairs.join('; ') } : {};
  }
}

/** One request of a navigation and its reply. */
export interface Hop {
  url: string;
  reply: Reply;
}

/** Navigates to `url`, following 303s (at most 10) and keeping cookies; every hop. */
export async function browse(
  gateway: LocalGateway,
  url: string,
  jar: HostJar,
  extra: Record<string, string> = {},
): Promise<Hop[]> {
  const hops: Hop[] = [];
  let next = url;
  for (let i = 0; i < 10; i++) {
    const host = new URL(next).host;
    const reply = await request(gateway, next, { headers: { ...NAVIGATE, ...extra, ...jar.header(host) } });
    jar.store(host, reply.headers['set-cookie']);
    hops.push({ url: next, reply });
    if (reply.status !== 303) return hops;
    next = new URL(String(reply.headers.location), next).href;
  }
  throw new Error(`more than 10 redirects: ${hops.map((x) => x.url).join(' → ')}`);
}

/** The last hop's reply. */
export const last = (hops: Hop[]): Reply => hops[hops.length - 1]!.reply;
