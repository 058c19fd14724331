/**
 * Hostile input against the gateway in workerd, with real origins that count
 * every request they receive: each case asserts the status AND that no origin
 * saw anything. One positive control per credential proves the counter counts.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { connect } from 'node:net';
import { domainToASCII } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiLink, ApiLogin, ApiOwnerToken } from '../../protocol';
import {
  createSession,
  type Harness,
  type Reply,
  request,
  startAgent,
  startHarness,
  startOrigin,
  DOMAIN,
} from './harness';
import { signLabelForTest } from './sign';
import { aud, kidFor, mintForTest, unsignedForTest } from './tokens';

let h: Harness;
let hits = 0;
const origins: Awaited<ReturnType<typeof startOrigin>>[] = [];
let agent: Awaited<ReturnType<typeof startAgent>>;
/** Port A is private, port B is shared by link. */
let A: number;
let B: number;
let session: string;
let owner: string;
let urlA: URL;
let urlB: URL;
let linkB: ApiLink;

const secret = () => h.tokenSecret;

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const reply = await request(h.gateway, `/api/sessions/${session}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body.toString()) as T;
}

beforeAll(async () => {
  h = await startHarness();
  for (let i = 0; i < 2; i++) {
    origins.push(
      await startOrigin((_req, res) => {
        hits++;
        res.end('origin');
      }),
    );
  }
  [A, B] = origins.map((o) => o.port) as [number, number];
  agent = await startAgent(h, [A, B], { visibility: (port) => (port === A ? 'private' : 'link') });
  session = agent.session;
  urlA = new URL(await agent.agent.url(A));
  urlB = new URL(await agent.agent.url(B));
  owner = (await api<ApiOwnerToken>('POST', '/owner-token', agent.token)).token;
  linkB = await api<ApiLink>('POST', '/links', owner, { port: B, ttl: 600 });
});

afterAll(async () => {
  agent?.agent.stop();
  for (const o of origins) await o.close();
  await h?.stop();
});

/** Run one hostile request; the origin counter must not move. */
async function refused(send: () => Promise<Reply | RawReply>, status: number): Promise<Reply | RawReply> {
  const before = hits;
  const reply = await send();
  expect(reply.status, `body: ${'body' in reply ? reply.body.toString() : ''}`).toBe(status);
  expect(hits - before, 'requests that reached an origin').toBe(0);
  return reply;
}

const get = (url: URL | string, headers: Record<string, string> = {}) =>
  request(h.gateway, url.toString(), { headers: { accept: 'application/json', ...headers } });

function withHost(host: string, path = '/'): string {
  return `http://${host}:${h.gateway.port}${path}`;
}

/** A request with exactly this Host header (a URL would normalise it). */
const getHost = (host: string) =>
  request(h.gateway, '/', { headers: { host: `${host}:${h.gateway.port}`, accept: 'application/json' } });

function label(url: URL): { port: string; session: string; sig: string } {
  const [port, sess, sig] = (url.hostname.split('.')[0] as string).split('-') as [string, string, string];
  return { port, session: sess, sig };
}

/** Follow a login's redirects (one hop per non-public port of the session) to where it ends. */
async function followLogin(start: string): Promise<{ final: URL; hops: Reply[] }> {
  const before = hits;
  const hops: Reply[] = [];
  let url = start;
  for (let i = 0; i < 8; i++) {
    const reply = await get(url);
    expect(reply.status, reply.body.toString()).toBe(303);
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    hops.push(reply);
    const next = new URL(String(reply.headers.location), url);
    if (!next.searchParams.has('porthole_login')) {
      expect(hits - before, 'requests that reached an origin').toBe(0);
      return { final: next, hops };
    }
    // Only ever a hop to another preview of this very session.
    expect(label(next).session).toBe(session);
    url = next.href;
  }
  throw new Error('the login redirects did not end');
}

interface RawReply {
  status: number;
  text: string;
}

/** Bytes straight onto a socket to the gateway, for requests no HTTP client would send. */
function raw(bytes: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(h.gateway.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // One response is enough: stop once its head (and a short body) has arrived.
      if (/\r\n\r\n/.test(text)) socket.end();
    });
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error('raw request timed out')));
    socket.write(bytes);
  });
}

describe('the gateway holds the line (origins count zero requests)', () => {
  it('positive controls: the owner reaches A, a link holder reaches B, and the counter counts', async () => {
    const before = hits;
    expect((await get(urlA, { 'x-porthole-token': owner })).status).toBe(200);
    const open = await get(linkB.url);
    expect(open.status).toBe(303);
    const cookie = String(open.headers['set-cookie']).split(';')[0] as string;
    expect((await get(urlB, { cookie })).status).toBe(200);
    expect(hits - before).toBe(2);
  });

  describe('hosts', () => {
    it('label signed for another port', async () => {
      await refused(() => get(withHost(`${A}-${session}-${label(urlB).sig}.${DOMAIN}`)), 404);
    });
    it('label signed for another session', async () => {
      const other = await createSession(h);
      await refused(() => get(withHost(`${A}-${other.session}-${label(urlA).sig}.${DOMAIN}`)), 404);
    });
    it('truncated sig', async () => {
      await refused(() => get(withHost(`${A}-${session}-${label(urlA).sig.slice(0, 15)}.${DOMAIN}`)), 404);
    });
    it('padded sig', async () => {
      await refused(() => get(withHost(`${A}-${session}-${label(urlA).sig}a.${DOMAIN}`)), 404);
    });
    it('uppercase host', async () => {
      await refused(() => getHost(urlA.hostname.toUpperCase()), 404);
    });
    it('uppercase sig only', async () => {
      const l = label(urlA);
      await refused(() => getHost(`${A}-${session}-${l.sig.toUpperCase()}.${DOMAIN}`), 404);
    });
    it('punycode host', async () => {
      // The label with a Cyrillic 'а' added: a homograph, as a browser would send it (punycode).
      const lookalike = domainToASCII(`${A}-${session}-${label(urlA).sig}\u0430.${DOMAIN}`);
      expect(lookalike).toMatch(/^xn--/);
      await refused(() => getHost(lookalike), 404);
    });
    it('extra label', async () => {
      await refused(() => get(withHost(`x.${urlA.hostname}`)), 404);
    });
    it('missing label part', async () => {
      await refused(() => get(withHost(`${session}-${label(urlA).sig}.${DOMAIN}`)), 404);
    });
    it('port 0, correctly signed', async () => {
      await refused(() => get(withHost(signLabelForTest(h, session, 0))), 404);
    });
    it('port 65536, correctly signed', async () => {
      await refused(() => get(withHost(signLabelForTest(h, session, 65536))), 404);
    });
    it('port with a leading zero', async () => {
      await refused(() => get(withHost(`0${urlA.hostname}`)), 404);
    });
    it('X-Forwarded-Host naming a preview on the bare domain', async () => {
      await refused(() => get(withHost(DOMAIN, '/anything'), { 'x-forwarded-host': urlA.host }), 404);
    });
    // workerd's HTTP front end refuses an absolute-form target before the Worker runs (the edge has
    // its own rules): a bare 500 with no detail, and nothing forwarded.
    it('absolute-URI request target naming a preview, Host naming another', async () => {
      const reply = await refused(
        () =>
          raw(
            `GET http://${urlA.host}/ HTTP/1.1\r\nHost: example.com\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        500,
      );
      expect((reply as RawReply).text).not.toMatch(/origin|at .*\.js/);
    });
    it('absolute-URI request target naming another host, Host naming the preview', async () => {
      await refused(
        () =>
          raw(
            `GET http://example.com/ HTTP/1.1\r\nHost: ${urlA.host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        500,
      );
    });
    it('a bare CR smuggling a forged X-Porthole-Token header', async () => {
      const forged = await mintForTest('y'.repeat(40), { aud: aud.owner, sub: session, kid: kidFor(secret()) });
      await refused(
        () =>
          raw(
            `GET / HTTP/1.1\r\nHost: ${urlA.host}\r\nX-A: a\rX-Porthole-Token: ${forged}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        401,
      );
    });
    it('a bare LF smuggling a forged X-Porthole-Token header', async () => {
      await refused(
        () =>
          raw(
            `GET / HTTP/1.1\r\nHost: ${urlA.host}\r\nX-A: a\nX-Porthole-Token: forged\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        401,
      );
    });
    it('CRLF in the path of a login link does not inject a header into the redirect', async () => {
      const token = new URL((await api<ApiLogin>('POST', '/login', owner, { port: A })).url).searchParams.get(
        'porthole_login',
      );
      const { final, hops } = await followLogin(`${urlA.href}%0d%0aSet-Cookie:%20x=1?porthole_login=${token}`);
      for (const hop of hops) expect(String(hop.headers['set-cookie'])).not.toContain('x=1');
      expect(final.pathname.toLowerCase()).toBe('/%0d%0aset-cookie:%20x=1');
    });
  });

  describe('owner tokens (X-Porthole-Token)', () => {
    it('no credential on a private port', async () => {
      const reply = (await refused(() => get(urlA), 401)) as Reply;
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'preview_private' });
    });
    it('no credential on a link port', async () => {
      await refused(() => get(urlB), 401);
    });
    it('alg: none', async () => {
      const token = unsignedForTest({ iss: 'porthole', aud: aud.owner, sub: session, exp: 4e9 }, kidFor(secret()));
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('RS256 token (algorithm confusion: asymmetric where HMAC is expected)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: kidFor(secret()) })
        .setIssuer('porthole')
        .setAudience(aud.owner)
        .setSubject(session)
        .setExpirationTime('10m')
        .sign(privateKey);
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('HS512 token signed with the real secret (only HS256 is accepted)', async () => {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS512', kid: kidFor(secret()) })
        .setIssuer('porthole')
        .setAudience(aud.owner)
        .setSubject(session)
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret()));
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('wrong kid', async () => {
      const token = await mintForTest(secret(), { aud: aud.owner, sub: session, kid: 'aaaaaaaa' });
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('signed with another secret', async () => {
      const token = await mintForTest('x'.repeat(40), { aud: aud.owner, sub: session, kid: kidFor(secret()) });
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('expired', async () => {
      const token = await mintForTest(secret(), { aud: aud.owner, sub: session, expiresIn: -60 });
      const reply = (await refused(() => get(urlA, { 'x-porthole-token': token }), 401)) as Reply;
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'login_expired' });
    });
    it('nbf in the future', async () => {
      const token = await mintForTest(secret(), { aud: aud.owner, sub: session, notBeforeIn: 3600 });
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('wrong issuer', async () => {
      const token = await mintForTest(secret(), { aud: aud.owner, sub: session, iss: 'someone-else' });
      await refused(() => get(urlA, { 'x-porthole-token': token }), 401);
    });
    it('share token used as an owner token', async () => {
      const share = new URL(linkB.url).searchParams.get('porthole_share') as string;
      await refused(() => get(urlB, { 'x-porthole-token': share }), 401);
    });
    it('session token used as an owner token', async () => {
      await refused(() => get(urlA, { 'x-porthole-token': agent.token }), 401);
    });
    it("another session's owner token", async () => {
      const token = await mintForTest(secret(), { aud: aud.owner, sub: 'a'.repeat(16) });
      await refused(() => get(urlA, { 'x-porthole-token': token }), 403);
    });
    it('oversized token', async () => {
      await refused(() => get(urlA, { 'x-porthole-token': `${owner}.${'a'.repeat(8000)}` }), 400);
    });
    it('an owner token in Authorization is the app’s header, not a Porthole credential', async () => {
      await refused(() => get(urlA, { authorization: `Bearer ${owner}` }), 401);
    });
  });

  describe('share links and cookies', () => {
    it('owner token used as a share token', async () => {
      await refused(() => get(`${urlB.href}?porthole_share=${owner}`), 401);
    });
    it('share token for another port', async () => {
      const share = new URL(linkB.url).searchParams.get('porthole_share') as string;
      await refused(() => get(`${urlA.href}?porthole_share=${share}`), 403);
    });
    it('revoked jti', async () => {
      const link = await api<ApiLink>('POST', '/links', owner, { port: B });
      await api('DELETE', `/links/${link.id}`, owner);
      const reply = (await refused(() => get(link.url), 410)) as Reply;
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'link_revoked' });
      const cookie = `porthole=${new URL(link.url).searchParams.get('porthole_share')}`;
      await refused(() => get(urlB, { cookie }), 410);
    });
    it('expired share token with a real link id', async () => {
      const token = await mintForTest(secret(), {
        aud: aud.share,
        sub: session,
        port: B,
        jti: linkB.id,
        expiresIn: -5,
      });
      const reply = (await refused(() => get(`${urlB.href}?porthole_share=${token}`), 410)) as Reply;
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'link_expired' });
    });
    it('share token with an id this session never issued', async () => {
      const token = await mintForTest(secret(), { aud: aud.share, sub: session, port: B, jti: 'madeup' });
      await refused(() => get(`${urlB.href}?porthole_share=${token}`), 403);
    });
    it('owner cookie minted for one port replayed on another', async () => {
      const cookie = `porthole=${await mintForTest(secret(), { aud: aud.cookie, sub: session, port: A })}`;
      expect((await get(urlA, { cookie })).status).toBe(200); // Genuine on its own port…
      await refused(() => get(urlB, { cookie }), 403); // …refused on another.
    });
    it('garbage cookie', async () => {
      const reply = (await refused(() => get(urlA, { cookie: 'porthole=not.a.token' }), 401)) as Reply;
      expect(String(reply.headers['set-cookie'])).toMatch(/^porthole=; .*Max-Age=0/);
    });
    it('a reviewer cookie on a private port', async () => {
      const cookie = `porthole=${new URL(linkB.url).searchParams.get('porthole_share')}`;
      await api('PATCH', `/ports/${B}`, owner, { visibility: 'private' });
      try {
        await refused(() => get(urlB, { cookie }), 403);
        await refused(() => get(linkB.url), 403);
      } finally {
        await api('PATCH', `/ports/${B}`, owner, { visibility: 'link' });
      }
    });
  });

  describe('login links', () => {
    const login = () => api<ApiLogin>('POST', '/login', owner, { port: A });

    it('a used one-time link', async () => {
      const link = await login();
      expect((await get(link.url)).status).toBe(303);
      const reply = (await refused(() => get(link.url), 410)) as Reply;
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'login_used' });
    });
    it('login link for another port', async () => {
      const link = await login();
      const token = new URL(link.url).searchParams.get('porthole_login') as string;
      await refused(() => get(`${urlB.href}?porthole_login=${token}`), 403);
    });
    it('garbage login token', async () => {
      await refused(() => get(`${urlA.href}?porthole_login=garbage`), 401);
    });
    it('expired login token', async () => {
      const token = await mintForTest(secret(), { aud: aud.login, sub: session, port: A, jti: 'x', expiresIn: -1 });
      await refused(() => get(`${urlA.href}?porthole_login=${token}`), 410);
    });
    it('open redirect through the login redirect', async () => {
      const token = new URL((await login()).url).searchParams.get('porthole_login') as string;
      const { final } = await followLogin(`http://${urlA.host}//evil.example/path?porthole_login=${token}`);
      expect(final.host).toBe(urlA.host);
      expect(final.pathname).toBe('//evil.example/path');
    });
    it('tokens in the URL of the redirect target are all removed', async () => {
      const token = new URL((await login()).url).searchParams.get('porthole_login') as string;
      const { final, hops } = await followLogin(
        `${urlA.href}app?x=1&porthole_login=${token}&porthole_share=${owner}&porthole%5Flogin=${token}&y=a%20b`,
      );
      expect(final.href).toBe(`${urlA.href}app?x=1&y=a%20b`);
      // One hop per non-public port: A, then B.
      expect(hops).toHaveLength(2);
    });
  });

  describe("cross-session requests (another session's page, the owner's credential riding along)", () => {
    let otherOrigin: string;
    beforeAll(async () => {
      otherOrigin = `http://${signLabelForTest(h, (await createSession(h)).session, A)}:${h.gateway.port}`;
    });
    const crossSession = (reply: Reply | RawReply) => {
      const text = 'body' in reply ? reply.body.toString() : reply.text;
      expect(text).toContain('cross_session');
    };
    it('positive controls: a sibling port, a link clicked elsewhere and a tool still reach the origin', async () => {
      const before = hits;
      const token = { 'x-porthole-token': owner };
      expect(
        (await request(h.gateway, urlA.href, { method: 'POST', headers: { ...token, origin: urlB.origin } })).status,
      ).toBe(200);
      const navigate = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
      expect((await get(urlA, { ...token, ...navigate, referer: 'https://chat.example/' })).status).toBe(200);
      expect((await request(h.gateway, urlA.href, { method: 'POST', headers: token })).status).toBe(200);
      expect(hits - before).toBe(3);
    });
    it("a POST with another session's Origin", async () => {
      const send = () =>
        request(h.gateway, urlA.href, {
          method: 'POST',
          headers: {
            'x-porthole-token': owner,
            origin: otherOrigin,
            'content-type': 'text/plain',
            accept: 'application/json',
          },
          body: 'x',
        });
      crossSession(await refused(send, 403));
    });
    it("a WebSocket upgrade with another session's Origin", async () => {
      const head = [
        `GET / HTTP/1.1`,
        `Host: ${urlA.host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `Origin: ${otherOrigin}`,
        `X-Porthole-Token: ${owner}`,
        'Accept: application/json',
      ];
      crossSession(await refused(() => raw(`${head.join('\r\n')}\r\n\r\n`), 403));
    });
    it('a cross-site POST without Origin (Sec-Fetch-Site: cross-site)', async () => {
      const send = () =>
        request(h.gateway, urlA.href, {
          method: 'POST',
          headers: {
            'x-porthole-token': owner,
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'no-cors',
            accept: 'application/json',
          },
          body: 'x',
        });
      crossSession(await refused(send, 403));
    });
    it("a frame from another session's page (navigation into an iframe, its Referer)", async () => {
      const frame = { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' };
      crossSession(
        await refused(() => get(urlA, { 'x-porthole-token': owner, ...frame, referer: `${otherOrigin}/` }), 403),
      );
      crossSession(await refused(() => get(urlA, { 'x-porthole-token': owner, ...frame }), 403));
    });
  });

  describe('CORS preflights', () => {
    const preflight = (origin: string) =>
      request(h.gateway, urlA.href, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', accept: 'application/json' },
      });
    // A preflight from outside the session is a cross-session request (403 cross_session).
    it('from a foreign origin', async () => {
      await refused(() => preflight('http://evil.example'), 403);
    });
    it("from another session's preview", async () => {
      const other = await createSession(h);
      await refused(() => preflight(`http://${signLabelForTest(h, other.session, B)}:${h.gateway.port}`), 403);
    });
    it('from a forged preview of this session', async () => {
      await refused(() => preflight(`http://${B}-${session}-${'a'.repeat(16)}.localhost:${h.gateway.port}`), 403);
    });
    it("naming the port's own host (a browser never preflights a same-origin request)", async () => {
      await refused(() => preflight(urlA.origin), 401);
    });
    it('from a sibling origin written as no browser writes it (path, upper case, userinfo)', async () => {
      for (const origin of [`${urlB.origin}/x`, urlB.origin.toUpperCase(), urlB.origin.replace('//', '//u:p@')]) {
        const reply = (await refused(() => preflight(origin), 401)) as Reply;
        expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
    it('a non-preflight OPTIONS from a sibling port is not let through', async () => {
      await refused(() => request(h.gateway, urlA.href, { method: 'OPTIONS', headers: { origin: urlB.origin } }), 401);
    });
  });
});
