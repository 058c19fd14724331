import { describe, expect, it } from 'vitest';
import {
  appCookies,
  clearPortCookie,
  COOKIE_TTL_SECONDS,
  DASHBOARD_COOKIES,
  dashboardCookie,
  PORT_COOKIES,
  portCookie,
  readCookie,
  setsPortCookie,
} from '../../../gateway/access/cookies';
import { hasUrlCredential, withoutCredentials } from '../../../gateway/access/credentials';

const withCookie = (cookie: string) => new Request('http://x.localhost/', { headers: { cookie } });

describe('Set-Cookie values (hono serialises them)', () => {
  it('port host on http: porthole, HttpOnly, SameSite=Lax, Path=/, host-only', () => {
    expect(portCookie('http', 'tok', COOKIE_TTL_SECONDS)).toBe(
      'porthole=tok; Max-Age=43200; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  it('port host on https: __Host-porthole with Secure', () => {
    expect(portCookie('https', 'tok', 60.9)).toBe(
      '__Host-porthole=tok; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('clearing sets an empty value with Max-Age=0 (and a negative lifetime is 0, not dropped)', () => {
    expect(clearPortCookie('http')).toBe('porthole=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax');
    expect(clearPortCookie('https')).toBe('__Host-porthole=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(portCookie('http', 'x', -5)).toContain('Max-Age=0');
  });

  it('dashboard: Path=/s/<session>, __Secure- with Secure on https', () => {
    expect(dashboardCookie('http', 'aaaaaaaaaaaaaaaa', 'tok', 100)).toBe(
      'porthole_dashboard=tok; Max-Age=100; Path=/s/aaaaaaaaaaaaaaaa; HttpOnly; SameSite=Lax',
    );
    expect(dashboardCookie('https', 'aaaaaaaaaaaaaaaa', 'tok', 100)).toBe(
      '__Secure-porthole_dashboard=tok; Max-Age=100; Path=/s/aaaaaaaaaaaaaaaa; HttpOnly; Secure; SameSite=Lax',
    );
  });
});

describe('reading and stripping', () => {
  it('reads the first of the named cookies in header order, and nothing else', () => {
    expect(readCookie(withCookie('a=1; porthole=one; __Host-porthole=two'), PORT_COOKIES)).toBe('one');
    expect(readCookie(withCookie('__Host-porthole=two;porthole=one'), PORT_COOKIES)).toBe('two');
    expect(readCookie(withCookie('porthole_dashboard=d'), PORT_COOKIES)).toBeNull();
    expect(readCookie(withCookie('porthole_dashboard=d'), DASHBOARD_COOKIES)).toBe('d');
    expect(readCookie(new Request('http://x.localhost/'), PORT_COOKIES)).toBeNull();
  });

  it('a garbled value is still read (and refused later), never skipped as if absent', () => {
    expect(readCookie(withCookie('porthole="not a token"'), PORT_COOKIES)).toBe('"not a token"');
  });

  it('appCookies keeps every other pair as sent, and is null when nothing is left', () => {
    expect(appCookies(withCookie('a=1;  b = 2 ; porthole=t; flag; c="q;r"'))).toBe('a=1; b = 2; flag; c="q; r"');
    expect(appCookies(withCookie('porthole=t; __Host-porthole=u'))).toBeNull();
  });

  it('setsPortCookie knows an origin’s attempt to set Porthole’s cookie', () => {
    expect(setsPortCookie('porthole=x; Path=/')).toBe(true);
    expect(setsPortCookie('__Host-porthole=x; Secure')).toBe(true);
    expect(setsPortCookie('porthole_app=x')).toBe(false);
    expect(setsPortCookie('portholes=x')).toBe(false);
  });
});

describe('credentials in the URL', () => {
  const url = (s: string) => new URL(`http://8000-x-y.porthole.localhost${s}`);

  it('hasUrlCredential: porthole_login or porthole_share, however encoded', () => {
    expect(hasUrlCredential(url('/?porthole_login=t'))).toBe(true);
    expect(hasUrlCredential(url('/?a=1&porthole_share='))).toBe(true);
    expect(hasUrlCredential(url('/?porthole%5Flogin=t'))).toBe(true);
    expect(hasUrlCredential(url('/?porthole_loginx=t'))).toBe(false);
  });

  it('withoutCredentials removes them, keeping the rest of the query byte for byte and in order', () => {
    expect(withoutCredentials(url('/docs?b=2&porthole_login=t&a=%2F+x&porthole_share=s')).href).toBe(
      'http://8000-x-y.porthole.localhost/docs?b=2&a=%2F+x',
    );
    expect(withoutCredentials(url('/?porthole%5Flogin=t&porthole+x=1')).search).toBe('?porthole+x=1');
    expect(withoutCredentials(url('/?%E0%A4%A=1&porthole_login=t')).search).toBe('?%E0%A4%A=1');
    expect(withoutCredentials(url('/?porthole_login=t')).href).toBe('http://8000-x-y.porthole.localhost/');
  });
});
