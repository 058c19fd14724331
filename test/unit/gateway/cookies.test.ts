import { describe, expect, it } from 'vitest';
import {
  appCookies,
  clearPortCookie,
  COOKIE_TTL_SECONDS,
  dashboardCookie,
  dashboardCookieNames,
  isReservedName,
  MAX_COOKIE_COPIES,
  portCookie,
  portCookieNames,
  readCookies,
  setCookieAllowed,
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
  const port = (cookie: string, scheme = 'http') => readCookies(withCookie(cookie), portCookieNames(scheme)).values;

  it('reads every copy of the name this scheme sets, in header order, each distinct value once', () => {
    expect(port('a=1; porthole=one; __Host-porthole=two; porthole=three; porthole=one')).toEqual(['one', 'three']);
    expect(port('porthole_dashboard=d; PORTHOLE=x; porthole =y')).toEqual(['y']);
    expect(readCookies(new Request('http://x.localhost/'), portCookieNames('http'))).toEqual({
      values: [],
      more: false,
    });
  });

  it('on https reads only the prefixed names: an unprefixed copy (any page can plant one) is not read', () => {
    expect(port('porthole=plain; __Host-porthole=host', 'https')).toEqual(['host']);
    expect(port('porthole=plain', 'https')).toEqual([]);
    const dashboard = (cookie: string, scheme: string) =>
      readCookies(withCookie(cookie), dashboardCookieNames(scheme)).values;
    const all = 'porthole_dashboard=a; __Secure-porthole_dashboard=b; __Host-porthole_dashboard=c';
    expect(dashboard(all, 'https')).toEqual(['b', 'c']);
    expect(dashboard(all, 'http')).toEqual(['a']);
  });

  it(`tries at most ${MAX_COOKIE_COPIES} distinct copies, and says when more were left`, () => {
    const many = Array.from({ length: MAX_COOKIE_COPIES + 1 }, (_, i) => `porthole=v${i}`).join('; ');
    const read = readCookies(withCookie(many), portCookieNames('http'));
    expect(read.values).toHaveLength(MAX_COOKIE_COPIES);
    expect(read.more).toBe(true);
  });

  it('finds the Porthole cookie among many other cookies', () => {
    const others = Array.from({ length: 500 }, (_, i) => `c${i}=${'x'.repeat(50)}`);
    const header = [...others.slice(0, 250), 'porthole=tok', ...others.slice(250)].join('; ');
    expect(port(header)).toEqual(['tok']);
  });

  it('a garbled value is still read (and refused later), never skipped as if absent', () => {
    expect(port('porthole="not a token"')).toEqual(['"not a token"']);
  });

  it('reserved names: porthole… in any case, with any cookie prefix in any case', () => {
    for (const name of [
      'porthole',
      'PORTHOLE',
      'Porthole',
      '__Host-porthole',
      '__host-PORTHOLE',
      '__Secure-porthole',
      '__SECURE-porthole',
      '__Http-porthole',
      '__Host-Http-porthole',
      'porthole_dashboard',
      '__Secure-porthole_dashboard',
      '__Host-Porthole_Dashboard',
      'porthole_x',
      ' porthole ',
    ]) {
      expect(isReservedName(name), name).toBe(true);
    }
    for (const name of ['app', 'xporthole', '_porthole', '__Other-porthole', 'session']) {
      expect(isReservedName(name), name).toBe(false);
    }
  });

  it('appCookies keeps every other pair as sent, and drops every reserved name (dashboard too)', () => {
    expect(appCookies(withCookie('a=1;  b = 2 ; porthole=t; flag; c="q;r"'))).toBe('a=1; b = 2; flag; c="q; r"');
    expect(appCookies(withCookie('porthole=t; __Host-porthole=u'))).toBeNull();
    expect(
      appCookies(
        withCookie(
          'porthole_dashboard=d; __Secure-porthole_dashboard=s; PORTHOLE=u; __host-Porthole=h; app=1; porthole',
        ),
      ),
    ).toBe('app=1');
  });
});

describe('setCookieAllowed: what an app may set', () => {
  const host = '8000-x-y.porthole.localhost';

  it('host-only cookies and a Domain naming the host itself pass', () => {
    expect(setCookieAllowed('app=1; Path=/; HttpOnly', host)).toBe(true);
    expect(setCookieAllowed(`app=1; Domain=${host}`, host)).toBe(true);
    expect(setCookieAllowed(`app=1; domain=.${host.toUpperCase()}`, host)).toBe(true);
    expect(setCookieAllowed('app=1; Domain=', host)).toBe(true);
    expect(setCookieAllowed('app=1; Domainx=porthole.localhost', host)).toBe(true);
  });

  it('a Domain reaching above the host (any parent, any spelling) or elsewhere is dropped', () => {
    for (const domain of [
      'porthole.localhost',
      '.porthole.localhost',
      'PORTHOLE.localhost',
      'localhost',
      'evil.example',
    ]) {
      expect(setCookieAllowed(`app=1; Path=/; Domain=${domain}`, host), domain).toBe(false);
      expect(setCookieAllowed(`app=1; Domain=${host}; domain = ${domain}`, host), `twice, ${domain}`).toBe(false);
    }
  });

  it('a reserved name in any case or prefix form is dropped, also as a nameless cookie', () => {
    for (const cookie of [
      'porthole=x; Path=/',
      ' PORTHOLE=x',
      '__Host-porthole=x; Secure; Path=/',
      '__secure-Porthole=x; Secure',
      'porthole_dashboard=x; Path=/s/aaaa',
      '__Secure-porthole_dashboard=x; Secure',
      '=porthole=x',
      'porthole',
    ]) {
      expect(setCookieAllowed(cookie, host), cookie).toBe(false);
    }
    expect(setCookieAllowed('portholes_are_round=1', host)).toBe(false);
    expect(setCookieAllowed('app_porthole=1', host)).toBe(true);
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
