/**
 * Hostile input against the gateway in workerd, with real origins that count
 * every request they receive: each case asserts the status AND that no origin
 * saw anything. One positive control per credential proves the counter counts.
 */
import { generateKeyPair, SignJWT } from 'jose';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { domainToASCII } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiLink, ApiLogin, ApiOwnerToken } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  type Reply,
  request,
  startAgent,
  startHarness,
  startOrigin,
  DOMAIN,
  PREVIEW_DOMAIN,
} from './harness';
import { hostForTest, signLabelForTest } from './sign';
import { aud, kidFor, mintForTest, unsignedForTest } from './tokens';

let h: Harness;
let hits = 0;
/** What the origins received, in order. */
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
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

/**
 * The counting origin: records each request; answers OPTIONS with a CORS answer plus things a
 * preflight's viewer must not get, and `/hostile-cookies` with the cookies a hostile app would set.
 */
const countingOrigin: RequestListener = (req, res) => {
  hits++;
  let body = '';
  req.setEncoding('latin1');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-methods': 'POST',
        vary: 'Origin',
        'x-app-secret': 'secret',
        'set-cookie': 'app_session=1',
        'content-type': 'text/plain',
      });
      res.end('the app body');
      return;
    }
    if (req.url === '/hostile-cookies') {
      const host = String(req.headers['x-forwarded-host']).replace(/:\d+$/, '');
      const parent = host.slice(host.indexOf('.') + 1);
      res.setHeader('set-cookie', [
        'plain=1; Path=/',
        `own=1; Domain=${host}; Path=/`,
        `parent=1; Domain=${parent}; Path=/`,
        `dotparent=1; Domain=.${parent.toUpperCase()}; Path=/`,
        'top=1; Domain=localhost; Path=/',
        'porthole=evil; Path=/',
        'PORTHOLE=evil; Path=/',
        `Porthole=evil; Domain=${host}`,
        '__Host-porthole=evil; Path=/; Secure',
        '__host-Porthole=evil; Path=/; Secure',
        '__Secure-porthole=evil; Secure',
        'porthole_dashboard=evil; Path=/',
        '__Secure-porthole_dashboard=evil; Secure; Path=/',
        '__Host-porthole_dashboard=evil; Secure; Path=/',
        '=porthole=evil',
      ]);
      res.setHeader('clear-site-data', '"cookies", "storage"');
      res.setHeader('x-app', '1');
    }
    res.end('origin');
  });
};

beforeAll(async () => {
  h = await startHarness();
  for (let i = 0; i < 2; i++) origins.push(await startOrigin(countingOrigin));
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

/** The parts of a port host in the `session` shape, `<port>-<sig>.<session>.<PREVIEW_DOMAIN>`. */
function label(url: URL): { port: string; session: string; sig: string } {
  const [first, sess] = url.hostname.split('.') as [string, string];
  const [port, sig] = first.split('-') as [string, string];
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
      await refused(() => get(withHost(hostForTest(session, A, label(urlB).sig))), 404);
    });
    it('label signed for another session', async () => {
      const other = await createSession(h);
      await refused(() => get(withHost(hostForTest(other.session, A, label(urlA).sig))), 404);
    });
    it("a valid port label under another session's name", async () => {
      // The label `<A>-<sig>` is genuine for this session; moved under another session's name it is not.
      const other = await createSession(h);
      await refused(() => get(withHost(`${urlA.hostname.split('.')[0]}.${other.session}.${PREVIEW_DOMAIN}`)), 404);
    });
    it('a port label directly under PREVIEW_DOMAIN (no session level)', async () => {
      await refused(() => get(withHost(`${A}-${label(urlA).sig}.${PREVIEW_DOMAIN}`)), 404);
    });
    it('a correctly signed host in the other (port) shape', async () => {
      await refused(() => get(withHost(signLabelForTest(h, session, A, 'port'))), 404);
    });
    it('a correctly signed port host under the control domain', async () => {
      await refused(() => get(withHost(signLabelForTest(h, session, A, 'session', DOMAIN))), 404);
    });
    it('the session level alone', async () => {
      await refused(() => get(withHost(`${session}.${PREVIEW_DOMAIN}`)), 404);
    });
    it('truncated sig', async () => {
      await refused(() => get(withHost(hostForTest(session, A, label(urlA).sig.slice(0, 15)))), 404);
    });
    it('padded sig', async () => {
      await refused(() => get(withHost(hostForTest(session, A, `${label(urlA).sig}a`))), 404);
    });
    it('uppercase host', async () => {
      await refused(() => getHost(urlA.hostname.toUpperCase()), 404);
    });
    it('uppercase sig only', async () => {
      await refused(() => getHost(hostForTest(session, A, label(urlA).sig.toUpperCase())), 404);
    });
    it('uppercase control domain (a Host the runtime had to normalise is none of ours)', async () => {
      await refused(() => getHost(DOMAIN.toUpperCase()), 404);
    });
    it('uppercase session only', async () => {
      await refused(() => getHost(hostForTest(session.toUpperCase(), A, label(urlA).sig)), 404);
    });
    it('punycode host', async () => {
      // The label with a Cyrillic 'а' added: a homograph, as a browser would send it (punycode).
      const lookalike = domainToASCII(hostForTest(session, A, `${label(urlA).sig}\u0430`));
      expect(lookalike).toMatch(/^xn--/);
      await refused(() => getHost(lookalike), 404);
    });
    it('extra label', async () => {
      await refused(() => get(withHost(`x.${urlA.hostname}`)), 404);
    });
    it('extra label between the port label and the session', async () => {
      await refused(() => get(withHost(hostForTest(`x.${session}`, A, label(urlA).sig))), 404);
    });
    it('missing label part', async () => {
      await refused(() => get(withHost(`${label(urlA).sig}.${session}.${PREVIEW_DOMAIN}`)), 404);
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
    it('X-Forwarded-Host naming a preview on the control domain', async () => {
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
        400,
      );
      expect((reply as RawReply).text).toContain('different hosts');
      expect((reply as RawReply).text).not.toMatch(/origin|at .*\.js/);
    });
    it('absolute-URI request target naming another host, Host naming the preview', async () => {
      await refused(
        () =>
          raw(
            `GET http://example.com/ HTTP/1.1\r\nHost: ${urlA.host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        400,
      );
    });
    it('a bare CR smuggling a forged X-Porthole-Token header', async () => {
      const forged = await mintForTest('y'.repeat(40), { aud: aud.owner, sub: session, kid: kidFor(secret()) });
      await refused(
        () =>
          raw(
            `GET / HTTP/1.1\r\nHost: ${urlA.host}\r\nX-A: a\rX-Porthole-Token: ${forged}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        400,
      );
    });
    it('a bare LF smuggling a forged X-Porthole-Token header', async () => {
      await refused(
        () =>
          raw(
            `GET / HTTP/1.1\r\nHost: ${urlA.host}\r\nX-A: a\nX-Porthole-Token: forged\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          ),
        400,
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
      await refused(() => preflight(`http://${hostForTest(session, B, 'a'.repeat(16))}:${h.gateway.port}`), 403);
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
    it('a sibling preflight carrying a body (Content-Length or chunked) is not let through', async () => {
      const ask = { origin: urlB.origin, 'access-control-request-method': 'POST', accept: 'application/json' };
      // Node sends no framing header of its own for an OPTIONS body: each is named explicitly.
      await refused(
        () =>
          request(h.gateway, urlA.href, {
            method: 'OPTIONS',
            headers: { ...ask, 'content-length': '4' },
            body: 'data',
          }),
        401,
      );
      await refused(
        () =>
          request(h.gateway, urlA.href, {
            method: 'OPTIONS',
            headers: { ...ask, 'transfer-encoding': 'chunked' },
            body: 'data',
          }),
        401,
      );
    });
    it("naming the port's own host, with a body and Authorization", async () => {
      await refused(
        () =>
          request(h.gateway, urlA.href, {
            method: 'OPTIONS',
            headers: {
              origin: urlA.origin,
              'access-control-request-method': 'POST',
              authorization: 'Bearer x',
              accept: 'application/json',
              'content-length': '4',
            },
            body: 'data',
          }),
        401,
      );
    });

    describe('a sibling preflight let through', () => {
      const sent = () =>
        request(h.gateway, `${urlA.href}api?x=1`, {
          method: 'OPTIONS',
          headers: {
            origin: urlB.origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
            authorization: 'Bearer app-secret',
            cookie: 'app_session=1; other=2',
            'x-other': 'x',
            'content-type': 'text/plain',
          },
        });

      it('reaches the app with only its question: no Authorization, no cookies, no other header', async () => {
        const before = hits;
        expect((await sent()).status).toBe(200);
        expect(hits - before).toBe(1);
        const got = seen.at(-1)!;
        expect(got).toMatchObject({ method: 'OPTIONS', url: '/api?x=1', body: '' });
        expect(got.headers).toMatchObject({
          origin: urlB.origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
          'x-forwarded-host': urlA.host,
        });
        for (const name of ['authorization', 'cookie', 'x-other', 'content-type']) {
          expect(got.headers, name).not.toHaveProperty(name);
        }
      });

      it("gets back only the app's status and Access-Control-* and Vary headers, with an empty body", async () => {
        const reply = await sent();
        expect(reply.status).toBe(200);
        expect(reply.headers['access-control-allow-origin']).toBe(urlB.origin);
        expect(reply.headers['access-control-allow-methods']).toBe('POST');
        expect(reply.headers.vary).toBe('Origin');
        for (const name of ['x-app-secret', 'set-cookie', 'content-type']) {
          expect(reply.headers, name).not.toHaveProperty(name);
        }
        expect(reply.body.toString()).toBe('');
      });
    });
  });

  describe('cookie defences', () => {
    const asOwner = (path: string, headers: Record<string, string> = {}) =>
      get(new URL(path, urlA), { 'x-porthole-token': owner, ...headers });
    const pairs = (reply: Reply) =>
      ((reply.headers['set-cookie'] ?? []) as string[]).map((c) => c.split(';')[0] as string);

    it("an app's Set-Cookie whose Domain reaches above its host is dropped; its own host's passes", async () => {
      const reply = await asOwner('/hostile-cookies');
      expect(reply.status).toBe(200);
      const set = (reply.headers['set-cookie'] ?? []) as string[];
      expect(set).toContain('plain=1; Path=/');
      expect(set).toContain(`own=1; Domain=${urlA.hostname}; Path=/`);
      expect(pairs(reply)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(parent|dotparent|top)=/)]));
    });
    it("an app's Set-Cookie for a reserved name, in every case and prefix form, is dropped", async () => {
      const reply = await asOwner('/hostile-cookies');
      expect(pairs(reply).filter((pair) => /porthole/i.test(pair))).toEqual([]);
      expect(pairs(reply)).toContain('plain=1');
    });
    it("an app's Clear-Site-Data is dropped", async () => {
      const reply = await asOwner('/hostile-cookies');
      expect(reply.headers['x-app']).toBe('1');
      expect(reply.headers).not.toHaveProperty('clear-site-data');
    });
    it("the dashboard's cookie, and every reserved name, never reach the origin", async () => {
      const cookie =
        'porthole_dashboard=d; __Secure-porthole_dashboard=s; __Host-porthole_dashboard=h; PORTHOLE=u; __secure-Porthole=p; app=1';
      expect((await asOwner('/', { cookie })).status).toBe(200);
      expect(seen.at(-1)?.headers.cookie).toBe('app=1');
    });
    it('several porthole cookies, one valid: admitted, and nothing is cleared', async () => {
      const valid = await mintForTest(secret(), { aud: aud.cookie, sub: session, port: A });
      const forB = await mintForTest(secret(), { aud: aud.cookie, sub: session, port: B });
      const expired = await mintForTest(secret(), { aud: aud.cookie, sub: session, port: A, expiresIn: -60 });
      const before = hits;
      for (const cookie of [
        `porthole=garbage; porthole=${forB}; porthole=${expired}; porthole=${valid}`,
        `porthole=${valid}; porthole=garbage`,
      ]) {
        const reply = await get(urlA, { cookie });
        expect(reply.status, reply.body.toString()).toBe(200);
        expect(reply.headers).not.toHaveProperty('set-cookie');
      }
      expect(hits - before).toBe(2);
      // None valid: refused, and only then cleared (the host-only cookie the gateway set).
      const reply = (await refused(() => get(urlA, { cookie: `porthole=garbage; porthole=${forB}` }), 401)) as Reply;
      expect(reply.headers['set-cookie']).toEqual(['porthole=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    });
    it('several dashboard cookies, one valid: the dashboard opens', async () => {
      const link = await agent.agent.api.dashboardLink();
      const opened = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
      const valid = String(opened.headers['set-cookie']).split(';')[0] as string;
      const page = (cookie: string) =>
        request(h.gateway, `/s/${session}`, { headers: { accept: 'text/html', cookie } });
      expect((await page(`porthole_dashboard=garbage; ${valid}; porthole_dashboard=x.y.z`)).status).toBe(200);
      expect((await page('porthole_dashboard=garbage; porthole_dashboard=x.y.z')).status).toBe(401);
    });
    it('a cookie bomb: the Porthole cookie is found among 60 KiB of cookies, planted copies not counted', async () => {
      const valid = await mintForTest(secret(), { aud: aud.cookie, sub: session, port: A });
      const app = Array.from({ length: 100 }, (_, i) => `app${i}=${'a'.repeat(100)}`);
      const planted = Array.from({ length: 30 }, (_, i) => `porthole=${String(i % 10).repeat(1000)}${i}`);
      const cookie = [
        ...planted.slice(0, 15),
        ...app.slice(0, 100),
        `porthole=${valid}`,
        ...app.slice(100),
        ...planted.slice(15),
      ].join('; ');
      expect(cookie.length).toBeGreaterThan(32 * 1024);
      const before = hits;
      const reply = await get(urlA, { cookie });
      expect(reply.status, JSON.stringify(reply.headers) + reply.body.toString()).toBe(200);
      expect(hits - before).toBe(1);
      expect(seen.at(-1)?.headers.cookie).toBe(app.join('; '));
    });
  });
});

describe('on https', () => {
  it('only __Host-porthole is read: the unprefixed name (which any sibling page can plant) is no credential', async () => {
    // The agent's tunnel to Miniflare's self-signed certificate; restored when this test ends.
    const tls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    afterTest(() => {
      if (tls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tls;
    });
    const secure = await startHarness({}, {}, { https: true });
    const call = (target: string, headers: Record<string, string>, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(target, secure.gateway.url);
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: secure.gateway.port,
            method,
            path: url.pathname,
            headers: { host: url.host, accept: 'application/json', ...headers },
            servername: url.hostname,
            rejectUnauthorized: false, // Miniflare's self-signed certificate.
            agent: false,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              body += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const created = await call('/api/sessions', { authorization: `Bearer ${secure.adminToken}` }, 'POST');
    const { session: id, token: sessionToken } = JSON.parse(created.body) as { session: string; token: string };
    let count = 0;
    const o = await startOrigin((_req, res) => {
      count++;
      res.end('origin');
    });
    const a = await startAgent(secure, [o.port], { token: sessionToken, session: id, visibility: () => 'private' });
    const url = await a.agent.url(o.port);
    expect(url).toMatch(/^https:/);
    const token = await mintForTest(secure.tokenSecret, { aud: aud.cookie, sub: id, port: o.port });
    expect((await call(url, { cookie: `porthole=${token}` })).status).toBe(401);
    expect((await call(url, { cookie: `PORTHOLE=${token}; __Secure-porthole=${token}` })).status).toBe(401);
    expect(count, 'requests that reached the origin').toBe(0);
    // Positive control: the same token under the name the gateway sets on https.
    expect((await call(url, { cookie: `porthole=garbage; __Host-porthole=${token}` })).status).toBe(200);
    expect(count).toBe(1);
  });
});
