import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../gateway/auth/tokens';
import { isNavigation, isPortPath, refusalOrSignIn, signInUrl, ticketUrl } from '../../../gateway/access/signin';
import { privatePreview } from '../../../gateway/access/refusals';
import type { ViewerRoute } from '../../../gateway/routing/route';

const get = (headers: Record<string, string>, method = 'GET') => new Request('http://x.test/', { method, headers });
const PORT = 'http://8000-bbbbbbbbbbbbbbbb.aaaaaaaaaaaaaaaa.localhost:8787';
const CONTROL = { controlDomain: 'porthole.localhost', tokenSecret: 's'.repeat(32), tokenSecretPrevious: null };

describe('isNavigation (Fetch Metadata, W3C)', () => {
  it.each([
    [{ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }, true],
    [{ 'sec-fetch-dest': 'document' }, true],
    [{ 'sec-fetch-mode': 'navigate' }, true],
    [{ accept: 'text/html,application/xhtml+xml' }, true],
    [{ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }, false],
    [{ 'sec-fetch-mode': 'cors', accept: 'text/html' }, false],
    [{ 'sec-fetch-dest': 'empty', accept: 'text/html' }, false],
    [{ accept: 'application/json' }, false],
    [{}, false],
    [{ accept: 'text/html', upgrade: 'websocket' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(isNavigation(get(headers))).toBe(expected);
  });

  it('never for a non-GET', () => {
    expect(isNavigation(get({ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }, 'POST'))).toBe(false);
    expect(isNavigation(get({ accept: 'text/html' }, 'HEAD'))).toBe(false);
  });
});

describe('ticketUrl: a path on the port host, never an address from the query', () => {
  it('keeps the path and query byte for byte and adds the ticket', () => {
    expect(ticketUrl(PORT, '/docs?page=2&q=a%20b', 'T')).toBe(`${PORT}/docs?page=2&q=a%20b&porthole_login=T`);
    expect(ticketUrl(PORT, '/', 'T')).toBe(`${PORT}/?porthole_login=T`);
  });

  it('keeps `//host` a path on the port host', () => {
    const url = new URL(ticketUrl(PORT, '//evil.example/x', 'T') as string);
    expect(url.origin).toBe(PORT);
    expect(url.pathname).toBe('//evil.example/x');
  });

  it.each(['https://evil.example/', 'evil.example', '/\\evil.example', '/a b', '/a\nb', ''])('refuses %j', (path) => {
    expect(isPortPath(path)).toBe(false);
    expect(ticketUrl(PORT, path, 'T')).toBeNull();
  });

  it('drops a stowaway credential from the path', () => {
    expect(ticketUrl(PORT, '/p?porthole_login=old&porthole_share=s&q=1', 'T')).toBe(`${PORT}/p?q=1&porthole_login=T`);
  });
});

describe('refusalOrSignIn', () => {
  const route = {
    kind: 'viewer',
    session: 'aaaaaaaaaaaaaaaa',
    port: 8000,
    host: new URL(PORT).host,
    scheme: 'http',
    clientIp: null,
    url: new URL(`${PORT}/docs?page=2`),
  } satisfies ViewerRoute;
  const navigation = get({ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' });

  it('sends a navigation that would get a 401 to the control sign-in (303, no-store, no Referer)', async () => {
    const response = (await refusalOrSignIn(privatePreview(8000), navigation, route, CONTROL)).toResponse(navigation);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe('http://porthole.localhost:8787/s/aaaaaaaaaaaaaaaa/open');
    expect(location.searchParams.get('port')).toBe('8000');
    expect(location.searchParams.get('path')).toBe('/docs?page=2');
    // The proof: a handover token for exactly this session, port and path.
    const proof = await verifyToken(CONTROL, location.searchParams.get('proof') as string, ['handover']);
    expect(proof).toMatchObject({ session: 'aaaaaaaaaaaaaaaa', port: 8000, ret: '/docs?page=2' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(new URL(await signInUrl(route, CONTROL)).pathname).toBe(location.pathname);
  });

  it('leaves a tool, a fetch or a token header with the refusal', async () => {
    const refusal = privatePreview(8000);
    expect(await refusalOrSignIn(refusal, get({}), route, CONTROL)).toBe(refusal);
    expect(await refusalOrSignIn(refusal, get({ 'sec-fetch-mode': 'cors' }), route, CONTROL)).toBe(refusal);
    const withToken = get({ 'sec-fetch-dest': 'document', 'x-porthole-token': 'x' });
    expect(await refusalOrSignIn(refusal, withToken, route, CONTROL)).toBe(refusal);
  });
});
