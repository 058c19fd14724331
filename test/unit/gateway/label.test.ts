import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BoundedCache } from '../../../gateway/bounded-cache';
import { classifyHost, hostAsSent, isSessionOrigin, isSiblingOrigin } from '../../../gateway/routing/host';
import {
  listenPort,
  parseLabel,
  portHost,
  sessionDomain,
  signLabel,
  verifiedLabels,
  verifyLabel,
} from '../../../gateway/routing/label';
import { installTimingSafeEqual } from './workerd-crypto';

beforeAll(installTimingSafeEqual);
afterEach(() => {
  vi.restoreAllMocks();
});

const key = 'k'.repeat(32);
const session = 'aaaaaaaaaaaaaaaa';
// base64.b32encode(HMAC-SHA256(key, "v1:aaaaaaaaaaaaaaaa:8000")).lower()[:16], computed with Python.
const sig8000 = 'agft5tql4je4jxoh';

const sessionShape = { hostShape: 'session', previewDomain: 'localhost', controlDomain: 'porthole.localhost' } as const;
const portShape = { hostShape: 'port', previewDomain: 'example.dev', controlDomain: 'porthole.example.com' } as const;

describe('parseLabel, session shape: <port>-<sig>.<session>', () => {
  it('reads port, session and sig', () => {
    expect(parseLabel(`8000-${sig8000}.${session}`, 'session')).toEqual({ port: 8000, session, sig: sig8000 });
    expect(parseLabel(`1-${sig8000}.${session}`, 'session')?.port).toBe(1);
    expect(parseLabel(`65535-${sig8000}.${session}`, 'session')?.port).toBe(65535);
  });

  it.each([
    ['port 0', `0-${sig8000}.${session}`],
    ['port 65536', `65536-${sig8000}.${session}`],
    ['a leading zero', `08000-${sig8000}.${session}`],
    ['uppercase session', `8000-${sig8000}.${session.toUpperCase()}`],
    ['uppercase sig', `8000-${sig8000.toUpperCase()}.${session}`],
    ['a short sig', `8000-${sig8000.slice(1)}.${session}`],
    ['a long session', `8000-${sig8000}.${session}a`],
    ['an extra label in front', `x.8000-${sig8000}.${session}`],
    ['an extra label between', `8000-${sig8000}.x.${session}`],
    ['no session level', `8000-${sig8000}`],
    ['the session level alone', session],
    ['the port shape', `8000-${session}-${sig8000}`],
  ])('refuses %s', (_why, name) => {
    expect(parseLabel(name, 'session')).toBeNull();
  });
});

describe('parseLabel, port shape: <port>-<session>-<sig>', () => {
  it('reads port, session and sig', () => {
    expect(parseLabel(`8000-${session}-${sig8000}`, 'port')).toEqual({ port: 8000, session, sig: sig8000 });
    expect(parseLabel(`1-${session}-${sig8000}`, 'port')?.port).toBe(1);
    expect(parseLabel(`65535-${session}-${sig8000}`, 'port')?.port).toBe(65535);
  });

  it.each([
    ['port 0', `0-${session}-${sig8000}`],
    ['port 65536', `65536-${session}-${sig8000}`],
    ['a leading zero', `08000-${session}-${sig8000}`],
    ['six digits', `100000-${session}-${sig8000}`],
    ['uppercase', `8000-${session.toUpperCase()}-${sig8000}`],
    ['a short sig', `8000-${session}-${sig8000.slice(1)}`],
    ['a long sig', `8000-${session}-${sig8000}a`],
    ['a non-base32 character', `8000-${session}-${sig8000.slice(1)}1`],
    ['a missing part', `8000-${session}`],
    ['an extra part', `8000-${session}-${sig8000}-x`],
    ['an extra label', `x.8000-${session}-${sig8000}`],
    ['the session shape', `8000-${sig8000}.${session}`],
  ])('refuses %s', (_why, label) => {
    expect(parseLabel(label, 'port')).toBeNull();
  });
});

describe('signing and verifying', () => {
  it('signs with HMAC-SHA256(LABEL_KEY, v1:<session>:<port>), 16 base32 characters', async () => {
    expect(await signLabel(key, session, 8000)).toBe(sig8000);
    expect(await signLabel(key, 'abcdefghijklmnop', 3000)).toBe('cu5it5dpwqyxlefj');
  });

  it('builds the host in each shape, with the listening port when given', async () => {
    expect(await portHost({ ...sessionShape, labelKey: key }, session, 8000, ':8787')).toBe(
      `8000-${sig8000}.${session}.localhost:8787`,
    );
    expect(await portHost({ ...portShape, labelKey: key }, session, 8000)).toBe(
      `8000-${session}-${sig8000}.example.dev`,
    );
    expect(sessionDomain(sessionShape, session)).toBe(`${session}.localhost`);
    expect(sessionDomain(portShape, session)).toBeNull();
    expect(listenPort('porthole.localhost:8787')).toBe(':8787');
    expect(listenPort('porthole.example.com')).toBe('');
  });

  it('parses what it builds, in each shape', async () => {
    for (const hosts of [sessionShape, portShape]) {
      const url = new URL(`https://${await portHost({ ...hosts, labelKey: key }, session, 8000)}/`);
      expect(classifyHost(url, hosts)).toEqual({ kind: 'preview', label: { port: 8000, session, sig: sig8000 } });
    }
  });

  it('verifies only the genuine sig, and computes each label once per isolate', async () => {
    const sign = vi.spyOn(crypto.subtle, 'sign');
    const label = { port: 8001, session, sig: await signLabel(key, session, 8001) };
    sign.mockClear();
    expect(await verifyLabel(key, label)).toBe(true);
    expect(await verifyLabel(key, label)).toBe(true);
    expect(await verifyLabel(key, { ...label, sig: 'a'.repeat(16) })).toBe(false);
    expect(await verifyLabel(key, { ...label, sig: label.sig.slice(1) })).toBe(false);
    expect(sign).toHaveBeenCalledTimes(1);
    expect(await verifyLabel('o'.repeat(32), { port: 8000, session: 'bbbbbbbbbbbbbbbb', sig: sig8000 })).toBe(false);
    expect(verifiedLabels.limit).toBe(4096);
  });
});

describe('portHost signs each port once per isolate', () => {
  it("builds a session's port URLs again without another HMAC, and a different key is a miss", async () => {
    const sign = vi.spyOn(crypto.subtle, 'sign');
    const hosts = { hostShape: 'session' as const, previewDomain: 'localhost', labelKey: key };
    const s = 'cccccccccccccccc';
    sign.mockClear();
    const first = await portHost(hosts, s, 9001);
    expect(await portHost(hosts, s, 9001)).toBe(first);
    expect(sign).toHaveBeenCalledTimes(1);
    const other = await portHost({ ...hosts, labelKey: 'o'.repeat(32) }, s, 9001);
    expect(other).not.toBe(first);
    expect(sign).toHaveBeenCalledTimes(2);
  });
});

describe('BoundedCache (the label and token caches)', () => {
  it('evicts the oldest insertion when full, and never holds more than its limit', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) cache.set(k, i);
    cache.get('a'); // a read does not make an entry younger
    cache.set('d', 3);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([1, 2, 3]);
    cache.set('b', 10); // replacing an entry evicts nothing
    expect(cache.size).toBe(3);
    expect(cache.get('c')).toBe(2);
  });

  it('refuses a limit below 1', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

describe('classifyHost and isSessionOrigin', () => {
  const keys = { ...sessionShape, labelKey: key };

  it('session shape: tells the control domain, a preview and a foreign host apart', () => {
    expect(classifyHost(new URL('http://porthole.localhost:8787/x'), sessionShape)).toEqual({ kind: 'control' });
    expect(classifyHost(new URL(`http://8000-${sig8000}.${session}.localhost/`), sessionShape)).toEqual({
      kind: 'preview',
      label: { port: 8000, session, sig: sig8000 },
    });
    for (const host of [
      'example.com',
      'localhost', // PREVIEW_DOMAIN itself is not the control domain here
      'xporthole.localhost',
      `${session}.localhost`,
      `8000-${sig8000}.localhost`, // a port label directly under PREVIEW_DOMAIN
      `8000-${session}-${sig8000}.localhost`, // the port shape
      `x.8000-${sig8000}.${session}.localhost`,
      `8000-${sig8000}.${session}.porthole.localhost`, // under the control domain
      `8000-${sig8000}.${session}.localhost.example.com`,
    ]) {
      expect(classifyHost(new URL(`http://${host}/`), sessionShape), host).toEqual({ kind: 'unknown' });
    }
  });

  it('port shape: one label per port directly under PREVIEW_DOMAIN, nothing else', () => {
    expect(classifyHost(new URL('https://porthole.example.com/'), portShape)).toEqual({ kind: 'control' });
    expect(classifyHost(new URL(`https://8000-${session}-${sig8000}.example.dev/`), portShape)).toEqual({
      kind: 'preview',
      label: { port: 8000, session, sig: sig8000 },
    });
    for (const host of [
      'example.dev',
      `8000-${sig8000}.${session}.example.dev`,
      `x.8000-${session}-${sig8000}.example.dev`,
      `8000-${session}-${sig8000}.porthole.example.com`,
    ]) {
      expect(classifyHost(new URL(`https://${host}/`), portShape), host).toEqual({ kind: 'unknown' });
    }
  });

  it('the control domain may be PREVIEW_DOMAIN itself', () => {
    const same = { ...portShape, controlDomain: 'example.dev' };
    expect(classifyHost(new URL('https://example.dev/'), same)).toEqual({ kind: 'control' });
  });

  it('is true only for a correctly signed preview of the same session, on http(s)', async () => {
    const origin = `http://8000-${sig8000}.${session}.localhost:8787`;
    expect(await isSessionOrigin(origin, session, keys)).toBe(true);
    expect(await isSessionOrigin(origin, 'bbbbbbbbbbbbbbbb', keys)).toBe(false);
    expect(await isSessionOrigin(origin.replace(sig8000, 'a'.repeat(16)), session, keys)).toBe(false);
    expect(await isSessionOrigin(origin.replace('http:', 'ftp:'), session, keys)).toBe(false);
    // The genuine label moved under another session's name.
    expect(await isSessionOrigin(origin.replace(session, 'bbbbbbbbbbbbbbbb'), 'bbbbbbbbbbbbbbbb', keys)).toBe(false);
    expect(await isSessionOrigin('http://porthole.localhost:8787', session, keys)).toBe(false);
    expect(await isSessionOrigin('null', session, keys)).toBe(false);
    expect(await isSessionOrigin(null, session, keys)).toBe(false);
  });
});

describe('hostAsSent', () => {
  const url = new URL('http://8000-abc-def.porthole.localhost:8787/');
  it('accepts the Host the URL was built from, with or without its port, or no Host at all', () => {
    expect(hostAsSent('8000-abc-def.porthole.localhost:8787', url)).toBe(true);
    expect(hostAsSent('8000-abc-def.porthole.localhost', url)).toBe(true);
    expect(hostAsSent(null, url)).toBe(true);
  });
  it('refuses a Host the runtime had to lowercase to build the URL (labels are issued lowercase)', () => {
    expect(hostAsSent('8000-ABC-def.porthole.localhost:8787', url)).toBe(false);
    expect(hostAsSent('8000-abc-def.Porthole.localhost', url)).toBe(false);
  });
});

describe('isSiblingOrigin', () => {
  const keys = { ...sessionShape, labelKey: key };
  const origin = `http://8000-${sig8000}.${session}.localhost:8787`;
  const own = `3000-whatever.${session}.localhost:8787`;

  it('accepts another port of the session, serialised as a browser sends it', async () => {
    expect(await isSiblingOrigin(origin, session, own, keys)).toBe(true);
  });

  it.each([
    ["the request's own host", origin, `8000-${sig8000}.${session}.localhost:8787`],
    ['a path after the origin', `${origin}/some/path`, own],
    ['a trailing slash', `${origin}/`, own],
    ['upper case', origin.toUpperCase(), own],
    ['userinfo', origin.replace('http://', 'http://user:pw@'), own],
    ['an absent header', null, own],
  ])('refuses %s', async (_what, value, ownHost) => {
    expect(await isSiblingOrigin(value, session, ownHost, keys)).toBe(false);
  });
});
