/**
 * The cross-session rule (gateway/access/cross-site.ts), request by request: which
 * header sets a browser sends for each kind of request, and whether a private or link
 * port lets it on. Hosts are built with routing's own helpers, whatever their shape.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addFrameAncestors, frameAncestors, refuseCrossSite } from '../../../gateway/access/cross-site';
import { GatewayError } from '../../../gateway/errors';
import { portHost } from '../../../gateway/routing/label';
import type { ViewerRoute } from '../../../gateway/routing/route';
import { installTimingSafeEqual } from './workerd-crypto';

beforeAll(installTimingSafeEqual);

const keys = {
  previewDomain: 'localhost',
  controlDomain: 'porthole.localhost',
  hostShape: 'session' as const,
  labelKey: 'k'.repeat(32),
};
const session = 'aaaaaaaaaaaaaaaa';
const other = 'bbbbbbbbbbbbbbbb';
let own = '';
let sibling = '';
let stranger = '';
let route: ViewerRoute;

beforeAll(async () => {
  const host = async (s: string, port: number) => `http://${await portHost(keys, s, port, ':8787')}`;
  own = await host(session, 3000);
  sibling = await host(session, 5173);
  stranger = await host(other, 5173);
  const url = new URL(`${own}/`);
  route = { kind: 'viewer', session, port: 3000, host: url.host, scheme: 'http', clientIp: null, url };
});

/** Whether `refuseCrossSite` lets the request on ('on') or refuses it ('cross_session'). */
async function verdict(method: string, headers: () => Record<string, string>): Promise<string> {
  try {
    await refuseCrossSite(new Request(route.url, { method, headers: headers() }), route, keys);
    return 'on';
  } catch (error) {
    return error instanceof GatewayError ? error.code : String(error);
  }
}

const nav = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
const frame = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' };

describe('refuseCrossSite', () => {
  it.each<[string, string, () => Record<string, string>, string]>([
    ['a tool (no Origin, no Sec-Fetch-*)', 'POST', () => ({}), 'on'],
    ['a same-origin POST', 'POST', () => ({ origin: own, 'sec-fetch-site': 'same-origin' }), 'on'],
    [
      'a sibling port’s fetch (front end → API)',
      'POST',
      () => ({ origin: sibling, 'sec-fetch-site': 'same-site' }),
      'on',
    ],
    ['the page’s own WebSocket (HMR)', 'GET', () => ({ origin: own, upgrade: 'websocket' }), 'on'],
    ['a typed address', 'GET', () => ({ 'sec-fetch-site': 'none', ...nav }), 'on'],
    [
      'a link clicked in a chat',
      'GET',
      () => ({ 'sec-fetch-site': 'cross-site', ...nav, referer: 'https://chat.example/' }),
      'on',
    ],
    ['a link with no Referer', 'GET', () => ({ 'sec-fetch-site': 'cross-site', ...nav }), 'on'],
    [
      'a sibling’s subresource',
      'GET',
      () => ({ 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'image', referer: `${sibling}/` }),
      'on',
    ],
    [
      'a no-referrer page’s own form (Origin null, same-origin)',
      'POST',
      () => ({ origin: 'null', 'sec-fetch-site': 'same-origin' }),
      'on',
    ],
    ['another session’s fetch', 'POST', () => ({ origin: stranger, 'sec-fetch-site': 'same-site' }), 'cross_session'],
    ['another session’s WebSocket', 'GET', () => ({ origin: stranger, upgrade: 'websocket' }), 'cross_session'],
    [
      'another site’s fetch',
      'GET',
      () => ({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
      'cross_session',
    ],
    ['a forged preview of this session', 'POST', () => ({ origin: stranger.replace(other, session) }), 'cross_session'],
    [
      'a sandboxed frame’s POST (Origin null)',
      'POST',
      () => ({ origin: 'null', 'sec-fetch-site': 'cross-site' }),
      'cross_session',
    ],
    ['Origin null without Sec-Fetch-Site', 'POST', () => ({ origin: 'null' }), 'cross_session'],
    [
      'a cross-site POST without Origin',
      'POST',
      () => ({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }),
      'cross_session',
    ],
    [
      'another session’s link (its Referer)',
      'GET',
      () => ({ 'sec-fetch-site': 'same-site', ...nav, referer: `${stranger}/` }),
      'cross_session',
    ],
    [
      'another session’s frame',
      'GET',
      () => ({ 'sec-fetch-site': 'same-site', ...frame, referer: `${stranger}/` }),
      'cross_session',
    ],
    ['a frame with no Referer', 'GET', () => ({ 'sec-fetch-site': 'cross-site', ...frame }), 'cross_session'],
    [
      'a script tag elsewhere',
      'GET',
      () => ({ 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'script', 'sec-fetch-mode': 'no-cors' }),
      'cross_session',
    ],
    ['a cross-site navigation POST', 'POST', () => ({ 'sec-fetch-site': 'cross-site', ...nav }), 'cross_session'],
  ])('%s (%s): %s', async (_what, method, headers, expected) => {
    expect(await verdict(method, headers)).toBe(expected);
  });
});

describe('frameAncestors', () => {
  const framed = (headers: Record<string, string>) => frameAncestors(new Request(route.url, { headers }), route, keys);
  it("is 'self' alone unless a page of this session framed the port", async () => {
    expect(await framed({})).toBe("'self'");
    expect(await framed({ referer: `${stranger}/x` })).toBe("'self'");
    expect(await framed({ referer: `${own}/x` })).toBe("'self'");
    expect(await framed({ referer: `${sibling}/x` })).toBe(`'self' ${sibling}`);
  });
});

describe('addFrameAncestors', () => {
  it("adds a policy of its own next to the app's (both enforced: never wider), and X-Frame-Options only for 'self'", () => {
    const app = new Headers({ 'content-security-policy': "default-src 'self'; frame-ancestors *" });
    addFrameAncestors(app, "'self'");
    expect(app.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors *, frame-ancestors 'self'");
    expect(app.get('x-frame-options')).toBe('SAMEORIGIN');
    const denied = new Headers({ 'x-frame-options': 'DENY' });
    addFrameAncestors(denied, "'self'");
    expect(denied.get('x-frame-options')).toBe('DENY');
    const sibling = new Headers();
    addFrameAncestors(sibling, "'self' http://s.example");
    expect(sibling.get('content-security-policy')).toBe("frame-ancestors 'self' http://s.example");
    expect(sibling.has('x-frame-options')).toBe(false);
  });
});
