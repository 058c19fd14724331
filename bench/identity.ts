/**
 * What admission by identity costs on small GETs (issue 18): an `org` port of a session owned by
 * identity, opened by a member's port cookie (minted by the sign-in's way in: the port's hand-over,
 * `/s/<session>/open` with the identity cookie, the one-time ticket) against the same port opened
 * by the owner's `X-Porthole-Token` (the owner path the small-GET section measures). Alternating
 * pairs at c=32; the ratio of the medians printed with each pair's figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiOwnerToken } from '../protocol';
import { callJson } from '../client/control/client';
import { createSession } from '../client/dev/session';
import { mintIdentityCookie } from '../gateway/identity/identity-cookie';
import { fmt, percentile, spawnUntil, write } from './common';
import { loadInChild, type Target } from './load';
import { CONCURRENCY } from './small';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Alternating (member cookie, owner token) pairs. */
const ROUNDS = Number(process.env.BENCH_IDENTITY_ROUNDS ?? 4);

/** The vars the bench gateway runs with so this section has a provider and an organisation (nothing is fetched from it). */
export const BENCH_IDENTITY_VARS = {
  OIDC_ISSUER: 'http://127.0.0.1:1',
  OIDC_CLIENT_ID: 'bench',
  ORG_EMAIL_DOMAINS: 'example.com',
};

export interface IdentitySetup {
  script: string;
  cli: string;
  gatewayUrl: string;
  gatewayPort: number;
  adminToken: string;
  tokenSecret: string;
  originPort: number;
}

/** A GET to the gateway with an explicit Host; the status, Location and Set-Cookie lines. */
function get(gatewayPort: number, url: string, headers: Record<string, string>) {
  const u = new URL(url);
  return new Promise<{ status: number; location: string; cookies: string[] }>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: gatewayPort, path: u.pathname + u.search, headers: { ...headers, host: u.host } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location ?? '',
            cookies: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

/** The member's way in, as a browser takes it: the port cookie's `name=value`. */
async function memberCookie(s: IdentitySetup, portUrl: string): Promise<string> {
  const secrets = { tokenSecret: s.tokenSecret, tokenSecretPrevious: null };
  const identity = {
    issuer: BENCH_IDENTITY_VARS.OIDC_ISSUER,
    subject: 'bob',
    email: 'bob@example.com',
    emailVerified: true,
    groups: [],
    source: 'oidc' as const,
  };
  const { setCookie } = await mintIdentityCookie(secrets, identity, 'http');
  const navigate = { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
  const handover = await get(s.gatewayPort, portUrl, navigate);
  const open = await get(s.gatewayPort, new URL(handover.location, portUrl).href, {
    ...navigate,
    cookie: setCookie.split(';')[0] as string,
  });
  const exchanged = await get(s.gatewayPort, open.location, navigate);
  const cookie = exchanged.cookies.find((line) => line.startsWith('porthole='));
  if (!cookie) throw new Error(`no member cookie: ${handover.status} → ${open.status} → ${exchanged.status}`);
  return cookie.split(';')[0] as string;
}

/** Start an org-port client for an identity-owned session, alternate the loads, print the section. */
export async function identitySection(s: IdentitySetup): Promise<void> {
  const session = await createSession(s.gatewayUrl, s.adminToken, { owner: { email: 'alice@example.com' } });
  const folder = mkdtempSync(join(tmpdir(), 'porthole-bench-identity-'));
  const control = join(folder, 'control.sock');
  const args = ['connect', '--gateway', s.gatewayUrl, '--port', String(s.originPort), '--no-watch'];
  const client = await spawnUntil(
    [s.cli, ...args, '--default-visibility', 'org', '--control', control, '--json'],
    (line) => {
      const event = JSON.parse(line) as { event: string; url?: string; port?: number };
      return event.event === 'port.open' && event.port === s.originPort ? event.url : undefined;
    },
    30_000,
    { PORTHOLE_TOKEN: session.token },
  );
  try {
    const portUrl = client.value as string;
    const host = new URL(portUrl).host;
    const owner = await callJson<ApiOwnerToken>(control, 'POST', '/v1/token', {});
    const byToken: Target = { port: s.gatewayPort, host, path: '/small', headers: { 'x-porthole-token': owner.token } };
    const byMember: Target = {
      port: s.gatewayPort,
      host,
      path: '/small',
      headers: { cookie: await memberCookie(s, portUrl) },
    };
    write(
      `Admission by identity: small GETs c=${CONCURRENCY}, ${SECONDS} s each, ${ROUNDS} alternating pairs on one org port ` +
        'of a session owned by identity: a member by the port cookie its sign-in earned, against the owner by X-Porthole-Token:\n',
    );
    const member: number[] = [];
    const token: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['member', 'token'] as const) : (['token', 'member'] as const);
      const figures: Record<string, number> = {};
      for (const which of order) {
        const r = await loadInChild(s.script, which === 'member' ? byMember : byToken, CONCURRENCY, SECONDS, 1);
        if (r.non2xx > 0)
          throw new Error(`${which}: ${r.non2xx} answers other than 2xx: ${JSON.stringify(r.statuses)}`);
        figures[which] = r.rps;
        (which === 'member' ? member : token).push(r.rps);
      }
      write(
        `  pair ${round + 1}: member cookie ${fmt(figures.member ?? 0)} req/s · owner token ${fmt(figures.token ?? 0)} req/s\n`,
      );
    }
    const m = percentile(member, 50);
    const t = percentile(token, 50);
    write(`    median: member cookie ${fmt(m)} req/s = ${fmt((100 * m) / t, 1)} % of the owner token's\n\n`);
  } finally {
    client.child.kill();
    rmSync(folder, { recursive: true, force: true });
  }
}
