import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors';
import { MAX_HEAD_BYTES, requestHeaders, responseHeaders } from '../../../gateway/session/headers';

const HOST = '8000-x-y.porthole.localhost';
const info = { host: '8000-x-y.porthole.localhost:8787', scheme: 'http', clientIp: '203.0.113.7', upgrade: false };

function forwarded(headers: Record<string, string>, upgrade = false): Record<string, string> {
  const request = new Request('http://8000-x-y.porthole.localhost:8787/p?q=1', { headers });
  return Object.fromEntries(requestHeaders(request, new URL(request.url), { ...info, upgrade }));
}

describe('requestHeaders: what the origin sees', () => {
  it("sends the viewer's Accept-Encoding instead of the runtime's, and none when the viewer sent none", () => {
    const request = new Request('http://h/', { headers: { 'accept-encoding': 'br, gzip', accept: '*/*' } });
    const ae = (acceptEncoding?: string) =>
      requestHeaders(request, new URL(request.url), { ...info, acceptEncoding }).filter(
        ([n]) => n === 'accept-encoding',
      );
    expect(ae('gzip, deflate')).toEqual([['accept-encoding', 'gzip, deflate']]);
    expect(ae('')).toEqual([]);
    expect(ae(undefined)).toEqual([['accept-encoding', 'br, gzip']]);
  });

  it('keeps the app’s headers, Authorization included, and sets X-Forwarded-Host/Proto/For', () => {
    expect(forwarded({ accept: 'text/html', authorization: 'Bearer app-token', 'x-app': '1' })).toEqual({
      accept: 'text/html',
      authorization: 'Bearer app-token',
      'x-app': '1',
      'x-forwarded-host': info.host,
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '203.0.113.7',
    });
  });

  it('drops Porthole’s token header, its route header, the edge’s headers and whatever a viewer sent as X-Forwarded-*', () => {
    const out = forwarded({
      'x-porthole-token': 'owner',
      'x-porthole-route': '{"kind":"viewer","port":1}',
      'cf-connecting-ip': '198.51.100.1',
      'cf-ray': 'abc',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'evil.example',
      'x-real-ip': '10.0.0.2',
      forwarded: 'for=10.0.0.3',
      'cdn-loop': 'cloudflare',
    });
    expect(Object.keys(out).sort()).toEqual(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
    expect(out['x-forwarded-host']).toBe(info.host);
    expect(out['x-forwarded-for']).toBe('203.0.113.7');
  });

  it('drops hop-by-hop headers (RFC 9110 §7.6.1) and those the Connection header lists', () => {
    const out = forwarded({
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'x-hop': '1',
      'x-end': '2',
    });
    expect(out).not.toHaveProperty('connection');
    expect(out).not.toHaveProperty('keep-alive');
    expect(out).not.toHaveProperty('te');
    expect(out).not.toHaveProperty('x-hop');
    expect(out['x-end']).toBe('2');
  });

  it('keeps Upgrade (and says Connection: upgrade) for a WebSocket, and only then', () => {
    const ws = forwarded({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, true);
    expect(ws).toMatchObject({ upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-key': 'k' });
    expect(forwarded({ connection: 'Upgrade', upgrade: 'websocket' })).not.toHaveProperty('upgrade');
  });

  it('strips Porthole’s cookies from Cookie, keeping the app’s byte for byte (and the header goes when none is left)', () => {
    expect(forwarded({ cookie: 'a=1; porthole=tok;b="x y" ; __Host-porthole=t2' }).cookie).toBe('a=1; b="x y"');
    expect(forwarded({ cookie: 'porthole=tok; __Host-porthole=t2' })).not.toHaveProperty('cookie');
    // Every name Porthole reserves, the dashboard's included, in any case or prefix form.
    expect(
      forwarded({ cookie: 'porthole_dashboard=d; __Secure-porthole_dashboard=s; PORTHOLE=x; xporthole=2' }).cookie,
    ).toBe('xporthole=2');
  });

  it('counts the head as forwarded: Porthole’s cookies (planted copies too) do not make a 431', () => {
    const planted = Array.from({ length: 40 }, (_, i) => `porthole=${String(i).repeat(1000)}`).join('; ');
    expect(planted.length).toBeGreaterThan(MAX_HEAD_BYTES);
    expect(forwarded({ cookie: `${planted}; app=1` }).cookie).toBe('app=1');
    expect(() => forwarded({ cookie: `app=${'a'.repeat(MAX_HEAD_BYTES)}` })).toThrow(GatewayError);
  });

  it(`refuses a request head over ${MAX_HEAD_BYTES} bytes with 431 headers_too_large`, () => {
    expect(MAX_HEAD_BYTES).toBe(32 * 1024);
    expect(() => forwarded({ 'x-big': 'a'.repeat(30 * 1024) })).not.toThrow();
    try {
      forwarded({ 'x-big': 'a'.repeat(32 * 1024) });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(431);
      expect((error as GatewayError).code).toBe('headers_too_large');
    }
  });
});

describe('responseHeaders: what the viewer sees', () => {
  it('keeps every header and every Set-Cookie, drops hop-by-hop ones and those Connection lists', () => {
    const headers = responseHeaders(
      [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'a=1; Path=/'],
        ['Set-Cookie', 'b=2; HttpOnly'],
        ['Connection', 'x-private'],
        ['X-Private', 'secret'],
        ['Transfer-Encoding', 'chunked'],
        ['Keep-Alive', 'timeout=5'],
        ['X-App', '1'],
      ],
      HOST,
    );
    expect(headers.get('content-type')).toBe('text/plain');
    expect(headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(headers.get('x-app')).toBe('1');
    for (const name of ['connection', 'x-private', 'transfer-encoding', 'keep-alive'])
      expect(headers.has(name)).toBe(false);
  });

  it('drops an app’s Set-Cookie for Porthole’s own cookie, on either scheme, in any case or prefix form', () => {
    const headers = responseHeaders(
      [
        ['set-cookie', 'porthole=evil; Path=/'],
        ['set-cookie', ' __Host-porthole=evil; Path=/; Secure'],
        ['Set-Cookie', 'PORTHOLE=evil'],
        ['set-cookie', '__secure-Porthole=evil; Secure'],
        ['set-cookie', 'porthole_dashboard=evil; Path=/s/aaaa'],
        ['set-cookie', '__Secure-porthole_dashboard=evil; Secure'],
        ['set-cookie', '=porthole=evil'],
        ['set-cookie', 'app=1; Path=/'],
      ],
      HOST,
    );
    expect(headers.getSetCookie()).toEqual(['app=1; Path=/']);
  });

  it('drops a Set-Cookie whose Domain reaches above the host, and keeps one naming the host', () => {
    const headers = responseHeaders(
      [
        ['set-cookie', 'a=1; Domain=porthole.localhost; Path=/'],
        ['set-cookie', 'b=1; domain=.localhost'],
        ['set-cookie', `c=1; Domain=${HOST}`],
        ['set-cookie', 'd=1'],
      ],
      HOST,
    );
    expect(headers.getSetCookie()).toEqual([`c=1; Domain=${HOST}`, 'd=1']);
  });

  it('drops Clear-Site-Data, whatever its value or case', () => {
    const headers = responseHeaders(
      [
        ['Clear-Site-Data', '"cookies"'],
        ['clear-site-data', '"*"'],
        ['x-app', '1'],
      ],
      HOST,
    );
    expect(headers.has('clear-site-data')).toBe(false);
    expect(headers.get('x-app')).toBe('1');
  });

  it('decodes the UTF-8 bytes an origin sent and drops a value that is not UTF-8', () => {
    const utf8 = Buffer.from('attachment; filename="résumé.pdf"').toString('latin1');
    const headers = responseHeaders(
      [
        ['content-disposition', utf8],
        ['x-latin', 'caf\xe9'],
      ],
      HOST,
    );
    expect(headers.get('content-disposition')).toBe('attachment; filename="résumé.pdf"');
    expect(headers.has('x-latin')).toBe(false);
  });
});
