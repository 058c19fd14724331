import type http from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { Connection } from '../../client/tunnel/connection';
import { TunnelAuthError } from '../../client/tunnel/errors';
import { SUBPROTOCOL } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  request,
  startAgent,
  startHarness,
  startOrigin,
  DOMAIN,
  PREVIEW_DOMAIN,
} from './harness';
import { hostForTest, signLabelForTest } from './sign';
import { aud, mintForTest } from './tokens';

let h: Harness;
let hits = 0;
let origin: Awaited<ReturnType<typeof startOrigin>>;

beforeAll(async () => {
  h = await startHarness();
  origin = await startOrigin((_req, res) => {
    hits++;
    res.end('origin');
  });
});
afterAll(async () => {
  await origin?.close();
  await h?.stop();
});

function hostUrl(host: string): string {
  return `http://${host}:${h.gateway.port}/`;
}

describe('gateway routing and errors', () => {
  it('a session without a tunnel answers 503 "this session is offline" (to its owner: a private port)', async () => {
    const { session } = await createSession(h);
    const target = hostUrl(signLabelForTest(h, session, 3000));
    const owner = { 'x-porthole-token': await mintForTest(h.tokenSecret, { aud: aud.owner, sub: session }) };
    const json = await request(h.gateway, target, { headers: owner });
    expect(json.status).toBe(503);
    expect(JSON.parse(json.body.toString())).toMatchObject({ error: 'session_offline' });
    const html = await request(h.gateway, target, { headers: { ...owner, accept: 'text/html' } });
    expect(html.status).toBe(503);
    expect(html.body.toString()).toContain('This session is offline');
  });

  it('forged labels, labels for another port or session, and strange hosts answer 404', async () => {
    const a = await startAgent(h, [origin.port]);
    const good = new URL(await a.agent.url(origin.port));
    // `<port>-<sig>.<session>.localhost`
    const [label, session] = good.hostname.split('.') as [string, string];
    const sig = label.split('-')[1] as string;
    const other = await createSession(h);
    const hosts = [
      hostForTest(session, origin.port, 'a'.repeat(16)), // forged sig
      hostForTest(session, origin.port + 1, sig), // label for another port
      hostForTest(other.session, origin.port, sig), // label for another session
      hostForTest(session, origin.port, sig.slice(0, 15)), // truncated sig
      hostForTest(session, origin.port, `${sig}a`), // padded sig
      hostForTest(session, `0${origin.port}`, sig), // leading zero
      `x.${good.hostname}`, // extra label
      `${label}.${PREVIEW_DOMAIN}`, // no session level
      hostForTest(session, origin.port, sig, 'port'), // the other shape
      `${origin.port}.${session}.${PREVIEW_DOMAIN}`, // missing part
      `${session}.${PREVIEW_DOMAIN}`,
      `${session}.${DOMAIN}`,
      'example.com',
    ];
    hits = 0;
    for (const host of hosts) {
      const reply = await request(h.gateway, hostUrl(host));
      expect(reply.status, host).toBe(404);
      expect(JSON.parse(reply.body.toString()).error).toBe('not_found');
    }
    expect(hits).toBe(0);
    // The genuine label still works.
    expect((await request(h.gateway, good.href)).status).toBe(200);
    expect(hits).toBe(1);
  });

  it('a request head over 32 KiB answers 431 and never reaches the origin', async () => {
    const a = await startAgent(h, [origin.port]);
    hits = 0;
    const reply = await request(h.gateway, await a.agent.url(origin.port), {
      headers: { 'x-big': 'a'.repeat(33 * 1024) },
    });
    expect(reply.status).toBe(431);
    expect(hits).toBe(0);
  });

  it('session creation needs the admin token', async () => {
    const none = await request(h.gateway, '/api/sessions', { method: 'POST' });
    expect(none.status).toBe(401);
    const wrong = await request(h.gateway, '/api/sessions', {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const badTtl = await request(h.gateway, '/api/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}` },
      body: JSON.stringify({ ttl: 'forever' }),
    });
    expect(badTtl.status).toBe(400);
    const created = await createSession(h);
    expect(created.session).toMatch(/^[a-z2-7]{16}$/);
    expect(created.urlTemplate).toBe(`http://{port}-{sig}.${created.session}.${PREVIEW_DOMAIN}:${h.gateway.port}/`);
  });

  it('HOST_SHAPE=port: one label per port, the session shape is 404, the control domain stays', async () => {
    const p = await startHarness({ HOST_SHAPE: 'port', PREVIEW_DOMAIN: 'preview.localhost', CONTROL_DOMAIN: DOMAIN });
    const a = await startAgent(p, [origin.port]);
    const url = new URL(await a.agent.url(origin.port));
    expect(url.host).toBe(
      `${signLabelForTest(p, a.session, origin.port, 'port', 'preview.localhost')}:${p.gateway.port}`,
    );
    hits = 0;
    expect((await request(p.gateway, url.href)).status).toBe(200);
    const sessionShape = signLabelForTest(p, a.session, origin.port, 'session', 'preview.localhost');
    expect((await request(p.gateway, `http://${sessionShape}:${p.gateway.port}/`)).status).toBe(404);
    expect(hits).toBe(1);
    const created = await createSession(p);
    expect(created.urlTemplate).toBe(`http://{port}-${created.session}-{sig}.preview.localhost:${p.gateway.port}/`);
  });
});

describe('/connect', () => {
  const secret = 'x'.repeat(40);
  const forged = (claims: { aud?: string; exp?: number; sub?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'whatever' })
      .setIssuer('porthole')
      .setAudience(claims.aud ?? 'porthole:session')
      .setSubject(claims.sub ?? 'aaaaaaaaaaaaaaaa')
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 60)
      .sign(new TextEncoder().encode(secret));

  async function refusal(token: string): Promise<unknown> {
    return Connection.open({ gateway: h.gateway.url, token, onStream: () => {}, onSnapshot: () => {} }).then(
      (c) => {
        c.close();
        return null;
      },
      (e: unknown) => e,
    );
  }

  it('refuses a missing, malformed, forged or foreign token with 401', async () => {
    for (const token of ['', 'not-a-jwt', 'a.b.c', await forged({})]) {
      const error = await refusal(token);
      expect(error, token).toBeInstanceOf(TunnelAuthError);
      expect((error as Error).message).toMatch(/401/);
    }
  });

  it('refuses a token whose alg is none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({ iss: 'porthole', aud: 'porthole:session', sub: 'aaaaaaaaaaaaaaaa', exp: 9999999999 }),
    ).toString('base64url');
    expect(await refusal(`${header}.${body}.`)).toBeInstanceOf(TunnelAuthError);
  });

  it('answers 426 to a plain GET and names the protocol it speaks', async () => {
    const { token } = await createSession(h);
    const plain = await request(h.gateway, '/connect', { headers: { authorization: `Bearer ${token}` } });
    expect(plain.status).toBe(426);
    const reply = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, ['porthole.v0'], {
        headers: { authorization: `Bearer ${token}` },
        lookup,
      });
      afterTest(() => ws.terminate());
      ws.on('unexpected-response', (_req, res: http.IncomingMessage) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(reply).toBe(400);
    expect(SUBPROTOCOL).toBe('porthole.v9');
  });

  it('refuses a v8 client (no raw TCP streams) at the handshake: 400 unsupported_protocol naming porthole.v9', async () => {
    const { token } = await createSession(h);
    const answer = await new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, ['porthole.v8'], {
        headers: { authorization: `Bearer ${token}` },
        lookup,
      });
      afterTest(() => ws.terminate());
      ws.on('unexpected-response', (_req, res: http.IncomingMessage) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => resolve({ status: 101, body: '' }));
      ws.on('error', () => {});
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'unsupported_protocol' });
    expect(answer.body).toContain('porthole.v9');
  });
});
