/**
 * The OIDC sign-in driven without a browser: the gateway's /auth/login, the test provider's
 * redirects, login form and consent, and the gateway's callback, with a cookie jar for each side.
 * Each step is its own function, so a test can stop, replay or alter one.
 */
import type http from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LocalGateway } from '../../../client/dev/gateway';
import { type Reply, request } from '../harness';

/** Cookies by name (paths ignored: each flow is sequential), as a browser would keep them for one site. */
export class Jar {
  readonly cookies = new Map<string, string>();

  /** Takes in Set-Cookie lines: a Max-Age=0 (or past Expires) one deletes. */
  take(lines: string[] | string | undefined): void {
    for (const line of typeof lines === 'string' ? [lines] : (lines ?? [])) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = /;\s*max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  copy(): Jar {
    const jar = new Jar();
    for (const [k, v] of this.cookies) jar.cookies.set(k, v);
    return jar;
  }
}

/** A request to the gateway with the jar's cookies; its Set-Cookie lines go into the jar. */
export async function gatewayGet(
  gateway: LocalGateway,
  jar: Jar,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  const cookie = jar.header();
  const all = { ...(cookie ? { cookie } : {}), ...headers };
  const reply = gateway.url.startsWith('https:')
    ? await secureRequest(gateway, target, method, all)
    : await request(gateway, target, { method, headers: all });
  jar.take(reply.headers['set-cookie']);
  return reply;
}

/** The harness's `request` over TLS, for a gateway started with `https: true` (Miniflare's self-signed certificate). */
function secureRequest(
  gateway: LocalGateway,
  target: string,
  method: string,
  headers: Record<string, string>,
): Promise<Reply> {
  const url = new URL(target, gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: gateway.port,
        method,
        path: url.pathname + url.search,
        headers: { host: url.host, ...headers },
        servername: url.hostname,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `GET /auth/login?return=…`: the provider URL it redirects to (the state cookie lands in `jar`). */
export async function startLogin(gateway: LocalGateway, jar: Jar, returnTo?: string): Promise<string> {
  const target = returnTo === undefined ? '/auth/login' : `/auth/login?return=${encodeURIComponent(returnTo)}`;
  const reply = await gatewayGet(gateway, jar, target);
  if (reply.status !== 302) throw new Error(`/auth/login answered ${reply.status}: ${reply.body.toString()}`);
  return reply.headers.location as string;
}

/**
 * At the provider, from its authorization URL: the login page, the login as `email`, consent;
 * returns the redirect back to the gateway (its callback URL with `code` and `state`).
 */
export async function atProvider(authorizationUrl: string, email: string, jar = new Jar()): Promise<URL> {
  let url = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.take(response.headers.getSetCookie());
    body = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== new URL(authorizationUrl).origin) return next;
      url = next;
      continue;
    }
    const text = await response.text();
    if (response.status === 200 && text.includes('name="login"')) {
      body = new URLSearchParams({ login: email });
      continue;
    }
    // The provider's self-submitting form (it ends its session of another account first): submit it as a browser would.
    const form = /<form method="post" action="([^"]+)">/.exec(text);
    if (response.status === 200 && form && text.includes('forms[0].submit()')) {
      body = new URLSearchParams();
      for (const [, name, value] of text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
        body.set(name as string, value as string);
      url = new URL(form[1] as string, url);
      continue;
    }
    throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${text.slice(0, 300)}`);
  }
  throw new Error('the provider redirected more than 20 times');
}

/** The whole sign-in: login, provider, callback. Returns the callback's reply (303 on success). */
export async function signIn(
  gateway: LocalGateway,
  email: string,
  options: { jar?: Jar; returnTo?: string } = {},
): Promise<{ reply: Reply; jar: Jar; callback: URL }> {
  const jar = options.jar ?? new Jar();
  const callback = await atProvider(await startLogin(gateway, jar, options.returnTo), email);
  const reply = await gatewayGet(gateway, jar, callback.pathname + callback.search);
  return { reply, jar, callback };
}

/** `GET /auth` as JSON. */
export async function whoAmI(gateway: LocalGateway, jar: Jar, headers: Record<string, string> = {}) {
  const reply = await gatewayGet(gateway, jar, '/auth', { accept: 'application/json', ...headers });
  return { status: reply.status, json: JSON.parse(reply.body.toString()) as Record<string, unknown> };
}

/** The Set-Cookie lines of a reply, as a list. */
export const setCookies = (headers: http.IncomingHttpHeaders): string[] => headers['set-cookie'] ?? [];
