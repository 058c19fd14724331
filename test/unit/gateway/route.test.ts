import { describe, expect, it } from 'vitest';
import { baseOf, readRoute, ROUTE_HEADER, viewerAcceptEncoding, withRoute } from '../../../gateway/routing/route';

describe('baseOf', () => {
  it('is the scheme without its colon and the host with its port', () => {
    expect(baseOf(new URL('https://example-preview.dev/s/x?y=1'))).toEqual({
      scheme: 'https',
      host: 'example-preview.dev',
    });
    expect(baseOf(new URL('http://porthole.localhost:8787/'))).toEqual({
      scheme: 'http',
      host: 'porthole.localhost:8787',
    });
  });
});

describe('withRoute → readRoute', () => {
  it("a viewer's route: the port from the Worker, host and scheme from the URL, the session from the object", () => {
    const request = withRoute(
      new Request('https://8000-s-sig.example-preview.dev:8443/a?b=1', {
        headers: { 'cf-connecting-ip': '203.0.113.7' },
      }),
      { kind: 'viewer', port: 8000 },
    );
    const route = readRoute(request, 'session0');
    expect(route).toMatchObject({
      kind: 'viewer',
      session: 'session0',
      port: 8000,
      host: '8000-s-sig.example-preview.dev:8443',
      scheme: 'https',
      clientIp: '203.0.113.7',
    });
    expect(route.kind === 'viewer' && route.url.pathname + route.url.search).toBe('/a?b=1');
  });

  it("the tunnel's route carries the bare domain's base", () => {
    const base = { scheme: 'http', host: 'porthole.localhost:8787' };
    expect(
      readRoute(
        withRoute(new Request('http://porthole.localhost:8787/connect'), { kind: 'tunnel', base, expiresAt: 1 }),
        's',
      ),
    ).toEqual({ kind: 'tunnel', base, expiresAt: 1 });
  });

  it('overwrites a route header a viewer sent, and refuses a request the Worker did not route', () => {
    const forged = new Request('http://x.localhost/', { headers: { [ROUTE_HEADER]: '{"kind":"tunnel"}' } });
    expect(readRoute(withRoute(forged, { kind: 'viewer', port: 3000 }), 's')).toMatchObject({
      kind: 'viewer',
      port: 3000,
    });
    expect(() => readRoute(new Request('http://x.localhost/'), 's')).toThrow(/without a route/);
  });

  it("carries the viewer's Accept-Encoding, '' included (the viewer sent none)", () => {
    for (const acceptEncoding of ['gzip, deflate', '']) {
      const request = withRoute(new Request('http://x.localhost/', { headers: { 'accept-encoding': 'br, gzip' } }), {
        kind: 'viewer',
        port: 3000,
        acceptEncoding,
      });
      expect(readRoute(request, 's')).toMatchObject({ kind: 'viewer', acceptEncoding });
    }
    expect(
      readRoute(withRoute(new Request('http://x.localhost/'), { kind: 'viewer', port: 1 }), 's'),
    ).not.toHaveProperty('acceptEncoding');
  });
});

describe('viewerAcceptEncoding', () => {
  const replaced = (cf?: object) =>
    Object.assign(new Request('http://x.localhost/', { headers: { 'accept-encoding': 'br, gzip' } }), { cf });
  it("is the runtime's cf.clientAcceptEncoding when there is one ('' for none), else the header", () => {
    expect(viewerAcceptEncoding(replaced({ clientAcceptEncoding: 'gzip' }))).toBe('gzip');
    expect(viewerAcceptEncoding(replaced({ clientAcceptEncoding: '' }))).toBe('');
    expect(viewerAcceptEncoding(replaced())).toBe('br, gzip');
    expect(viewerAcceptEncoding(new Request('http://x.localhost/'))).toBe('');
  });
});
