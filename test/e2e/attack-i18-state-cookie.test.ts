/**
 * Attack (issue 18, login CSRF): on https, with the control domain on the same site as the previews
 * (CONTROL_DOMAIN = PREVIEW_DOMAIN, not on the Public Suffix List), a hostile preview page can set a
 * cookie for the control host with `Domain=`. It plants the attacker's own sign-in-in-progress cookie
 * (from the attacker's `/auth/login`) and sends the victim to the attacker's callback URL (code and
 * state): the victim would end up signed in as the attacker. The state cookie is therefore
 * `__Host-porthole_oidc` (no Domain possible, Path=/); a `__Secure-` copy is never read.
 */
import { request as httpsRequest } from 'node:https';
import type http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { afterTest, type Harness, startHarness } from './harness';
import { atProvider } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';

let provider: TestProvider;
let h: Harness;

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId },
    { OIDC_CLIENT_SECRET: provider.clientSecret } as Record<string, string>,
    { https: true },
  );
  provider.register(`${h.gateway.url}/auth/callback`);
});

afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET to the https gateway (Miniflare's self-signed certificate) with `cookie`. */
function get(target: string, cookie: string): Promise<Answer> {
  const url = new URL(target, h.gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: h.gateway.port,
        path: url.pathname + url.search,
        headers: { host: url.host, accept: 'application/json', ...(cookie ? { cookie } : {}) },
        servername: url.hostname,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

it("a planted __Secure-porthole_oidc copy of the attacker's sign-in does not sign the victim in as the attacker", async () => {
  const tls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  afterTest(() => {
    if (tls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tls;
  });
  // The attacker starts a sign-in and keeps its state cookie and callback URL (code and state).
  const login = await get('/auth/login', '');
  expect(login.status).toBe(302);
  const [line = ''] = login.headers['set-cookie'] ?? [];
  const value = /^[^=]+=([^;]+)/.exec(line)?.[1] ?? '';
  const callback = await atProvider(login.headers.location as string, 'eve@other.test');

  // The victim: only the copy a preview page planted with Domain= (a __Secure- name allows it).
  const victim = await get(callback.pathname + callback.search, `__Secure-porthole_oidc=${value}`);
  expect(victim.status, victim.body).toBe(400);
  expect(JSON.parse(victim.body)).toMatchObject({ error: 'oidc_state' });
  expect((victim.headers['set-cookie'] ?? []).filter((l) => /porthole_identity=[^;]/.test(l))).toEqual([]);

  // Set where no page of another host can put a copy: __Host- (no Domain), Path=/.
  expect(line).toMatch(/^__Host-porthole_oidc=[^;]+;/);
  expect(line).toMatch(/;\s*Path=\/(;|$)/i);
  expect(line).not.toMatch(/domain=/i);
  // Positive control: the attacker's own browser (the cookie as the gateway set it) finishes the sign-in.
  const own = await get(callback.pathname + callback.search, `__Host-porthole_oidc=${value}`);
  expect(own.status, own.body).toBe(303);
  expect((own.headers['set-cookie'] ?? []).some((l) => /^__Host-porthole_identity=[^;]/.test(l))).toBe(true);
});
