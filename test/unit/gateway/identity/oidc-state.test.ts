/** The sign-in-in-progress cookie (gateway/identity/oidc-state.ts): its attributes, and what reads it back. */
import { describe, expect, it } from 'vitest';
import {
  clearStateCookie,
  OIDC_STATE_TTL_SECONDS,
  readStateCookie,
  stateCookie,
} from '../../../../gateway/identity/oidc-state';

const secrets = { tokenSecret: 'a'.repeat(32), tokenSecretPrevious: null };
const state = { state: 'st-1', nonce: 'n-1', verifier: 'v-1', returnTo: '/s/abc' };

/** A request carrying `setCookie`'s pair (and `extra` pairs), as a browser would send it back. */
function requestWith(setCookie: string, scheme = 'http', extra: string[] = []): Request {
  const pair = setCookie.split(';')[0]!;
  return new Request(`${scheme}://porthole.example/auth/callback`, {
    headers: { cookie: [...extra, pair].join('; ') },
  });
}

describe('the state cookie', () => {
  it('is porthole_oidc on http, __Host- on https (no page of a parent domain can plant one); HttpOnly, SameSite=Lax, Path=/, 10 minutes', async () => {
    const http = await stateCookie(secrets, state, 'http');
    expect(http).toMatch(/^porthole_oidc=/);
    const https = await stateCookie(secrets, state, 'https');
    expect(https).toMatch(/^__Host-porthole_oidc=/);
    expect(https).toMatch(/; Secure/);
    for (const line of [http, https]) {
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Lax/);
      expect(line).toMatch(/; Path=\/;/);
      expect(line).toContain(`Max-Age=${OIDC_STATE_TTL_SECONDS}`);
    }
    expect(clearStateCookie('https')).toMatch(/^__Host-porthole_oidc=; Max-Age=0/);
  });

  it('reads back the sign-in whose state the callback names', async () => {
    const line = await stateCookie(secrets, state, 'http');
    expect(await readStateCookie(requestWith(line), secrets, 'http', 'st-1')).toEqual(state);
    expect(await readStateCookie(requestWith(line), secrets, 'http', 'other')).toBe('mismatch');
    expect(await readStateCookie(requestWith(line), secrets, 'http', null)).toBe('mismatch');
  });

  it('finds the right copy among planted ones, and refuses what it did not sign', async () => {
    const mine = await stateCookie(secrets, state, 'http');
    const theirs = await stateCookie({ tokenSecret: 'b'.repeat(32), tokenSecretPrevious: null }, state, 'http');
    const planted = theirs.split(';')[0]!;
    expect(await readStateCookie(requestWith(mine, 'http', [planted]), secrets, 'http', 'st-1')).toEqual(state);
    expect(await readStateCookie(requestWith(theirs), secrets, 'http', 'st-1')).toBe('invalid');
    expect(await readStateCookie(new Request('http://p.example/auth/callback'), secrets, 'http', 'st-1')).toBe(
      'missing',
    );
  });

  it('on https reads only the __Secure- name', async () => {
    const plain = await stateCookie(secrets, state, 'http');
    expect(await readStateCookie(requestWith(plain, 'https'), secrets, 'https', 'st-1')).toBe('missing');
    const secure = await stateCookie(secrets, state, 'https');
    expect(await readStateCookie(requestWith(secure, 'https'), secrets, 'https', 'st-1')).toEqual(state);
  });
});
