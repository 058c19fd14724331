import { describe, expect, it } from 'vitest';
import { mintToken } from '../../../../gateway/auth/tokens';
import type { Identity } from '../../../../gateway/identity/identity';
import {
  clearIdentityCookie,
  keptGroups,
  MAX_GROUP_CHARS,
  mintIdentityCookie,
  readIdentityCookie,
  rememberSession,
} from '../../../../gateway/identity/identity-cookie';
import { MAX_REMEMBERED_SESSIONS } from '../../../../gateway/identity/signed-in';

const secrets = { tokenSecret: 's'.repeat(32), tokenSecretPrevious: null };
const alice: Identity = {
  issuer: 'https://idp.example',
  subject: 'a-1',
  email: 'alice@example.com',
  emailVerified: true,
  groups: ['eng'],
  source: 'oidc',
};

/** The cookie value of a Set-Cookie, sent back as a browser would (http: `porthole_identity`). */
const requestWith = (setCookie: string, url = 'http://porthole.localhost/auth') =>
  new Request(url, { headers: { cookie: setCookie.split(';')[0]! } });

describe('the identity cookie', () => {
  it('keeps the identity and a fresh sid, HttpOnly, SameSite=Lax, Path=/, 12 h', async () => {
    const { setCookie, signedIn } = await mintIdentityCookie(secrets, alice, 'http');
    expect(setCookie).toMatch(/^porthole_identity=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    const read = await readIdentityCookie(requestWith(setCookie), secrets);
    expect(read).toEqual(signedIn);
    expect(read?.identity).toEqual(alice);
    const again = await mintIdentityCookie(secrets, alice, 'http');
    expect(again.signedIn.sid).not.toBe(signedIn.sid);
  });

  it('is __Host- on https, and only that name is read there', async () => {
    const { setCookie } = await mintIdentityCookie(secrets, alice, 'https');
    expect(setCookie).toMatch(/^__Host-porthole_identity=.*; Secure/);
    expect(await readIdentityCookie(requestWith(setCookie, 'https://porthole.example/'), secrets)).not.toBeNull();
    const plain = setCookie.replace('__Host-', '');
    expect(await readIdentityCookie(requestWith(plain, 'https://porthole.example/'), secrets)).toBeNull();
  });

  it('refuses a tampered value, another key, and another Porthole token', async () => {
    const { setCookie } = await mintIdentityCookie(secrets, alice, 'http');
    const value = setCookie.split(';')[0]!.split('=')[1]!;
    const [h, p, s] = value.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, email: 'boss@example.com' })).toString('base64url');
    expect(await readIdentityCookie(requestWith(`porthole_identity=${h}.${forged}.${s}`), secrets)).toBeNull();
    const other = { tokenSecret: 'o'.repeat(32), tokenSecretPrevious: null };
    expect(await readIdentityCookie(requestWith(setCookie), other)).toBeNull();
    const owner = await mintToken(secrets, 'owner', { session: 'x', ttlSeconds: 60, until: 2e9, epoch: 0 });
    expect(await readIdentityCookie(requestWith(`porthole_identity=${owner}`), secrets)).toBeNull();
  });

  it('a planted bad copy does not hide the good one', async () => {
    const { setCookie } = await mintIdentityCookie(secrets, alice, 'http');
    const request = new Request('http://porthole.localhost/', {
      headers: { cookie: `porthole_identity=garbage; ${setCookie.split(';')[0]!}` },
    });
    expect((await readIdentityCookie(request, secrets))?.identity.email).toBe('alice@example.com');
  });

  it('remembers sessions most recent first, at most MAX_REMEMBERED_SESSIONS, same sid and expiry', async () => {
    let { signedIn } = await mintIdentityCookie(secrets, alice, 'http');
    for (let i = 0; i < MAX_REMEMBERED_SESSIONS + 3; i++) {
      const setCookie = (await rememberSession(secrets, signedIn, `s${i}`, 'http'))!;
      signedIn = (await readIdentityCookie(requestWith(setCookie), secrets))!;
    }
    expect(signedIn.sessions).toHaveLength(MAX_REMEMBERED_SESSIONS);
    expect(signedIn.sessions[0]).toBe(`s${MAX_REMEMBERED_SESSIONS + 2}`);
    expect(await rememberSession(secrets, signedIn, signedIn.sessions[0]!, 'http')).toBeNull();
    const moved = (await rememberSession(secrets, signedIn, 's10', 'http'))!;
    const after = (await readIdentityCookie(requestWith(moved), secrets))!;
    expect(after.sessions[0]).toBe('s10');
    expect(after.sessions.filter((s) => s === 's10')).toHaveLength(1);
    expect(after.sid).toBe(signedIn.sid);
    expect(after.expiresAt).toBe(signedIn.expiresAt);
  });

  it('keeps groups bounded (strings, length, count, total) so the cookie stays under 4 KiB', async () => {
    expect(keptGroups(['a', 7, '', 'x'.repeat(65), 'b'])).toEqual(['a', 'b']);
    const many = Array.from({ length: 100 }, (_, i) => `group-${i}-`.padEnd(64, 'g'));
    const kept = keptGroups(many);
    expect(kept.join('').length).toBeLessThanOrEqual(MAX_GROUP_CHARS);
    let { setCookie, signedIn } = await mintIdentityCookie(secrets, { ...alice, groups: many }, 'https');
    for (let i = 0; i < MAX_REMEMBERED_SESSIONS; i++) {
      setCookie = (await rememberSession(secrets, signedIn, 'ABCDEFGHIJKLMNOP'.slice(0, 16) + i, 'https'))!;
      signedIn = (await readIdentityCookie(requestWith(setCookie, 'https://p.example/'), secrets))!;
    }
    expect(setCookie.length).toBeLessThan(4096);
  });

  it('clears with Max-Age=0', () => {
    expect(clearIdentityCookie('http')).toMatch(/^porthole_identity=; Max-Age=0; Path=\//);
  });
});
