/**
 * ATTACK (issue 16): `POST /ports` and `DELETE /ports/<port>` make the session's client expose or
 * unexpose any port. Only the session's owner may: not a stranger, a link holder (its share token),
 * a preview's cookie token, the session token itself, another session's owner, a signed-out owner
 * token, nor a form or page elsewhere (no Bearer: a browser sends none by itself). None of them
 * reaches the client. Past the per-session rate the answer is a clear 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { type Harness, request, type RunningAgent, startAgent, startHarness } from './harness';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const watching = () => startAgent(h, [], { watch: { filter: new PortFilter({}), intervalMs: 50 } });

function send(a: RunningAgent, method: string, path: string, headers: Record<string, string>, body?: string) {
  return request(h.gateway, `/api/sessions/${a.session}${path}`, { method, headers, body });
}

const errorOf = (reply: { body: Buffer }) => JSON.parse(reply.body.toString()).error as string;

describe('ATTACK: who may make a client expose a port', () => {
  it('nobody but the owner: each refusal is clear and none reaches the client', async () => {
    const a = await watching();
    const other = await watching();
    const mint = (claims: Parameters<typeof mintForTest>[1]) => mintForTest(h.tokenSecret, claims);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    const stale = (await a.agent.api.ownerToken()).token;
    expect((await send(a, 'POST', '/signout', bearer(stale))).status).toBe(200);

    const attempts: Record<string, Record<string, string>> = {
      none: { 'content-type': 'application/json' },
      form: { 'content-type': 'text/plain', origin: 'http://evil.example', cookie: 'porthole=x' },
      share: bearer(await mint({ aud: aud.share, sub: a.session, port: 22, jti: 'abc' })),
      cookie: bearer(await mint({ aud: aud.cookie, sub: a.session, port: 22 })),
      login: bearer(await mint({ aud: aud.login, sub: a.session, port: 22 })),
      session: bearer(a.token),
      otherOwner: bearer((await other.agent.api.ownerToken()).token),
      signedOut: bearer(stale),
      forged: bearer(`${stale.slice(0, -4)}AAAA`),
    };
    for (const [name, headers] of Object.entries(attempts)) {
      const post = await send(a, 'POST', '/ports', headers, JSON.stringify({ port: 22, visibility: 'public' }));
      expect([401, 403], `${name}: ${post.body}`).toContain(post.status);
      expect(errorOf(post), name).toMatch(/^[a-z_]+$/);
      expect(post.body.toString(), name).not.toMatch(/\bat .*\.(js|ts):\d+/);
      const del = await send(a, 'DELETE', '/ports/22', headers);
      expect([401, 403], `${name} DELETE`).toContain(del.status);
    }

    // The owner's own request goes through; the client saw none of the others before it.
    const owner = bearer((await a.agent.api.ownerToken()).token);
    const port = 1024 + Math.floor(Math.random() * 20_000);
    expect((await send(a, 'POST', '/ports', owner, JSON.stringify({ port }))).status).toBe(202);
    await a.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`);
    expect(a.events.some((e) => 'port' in e && e.port === 22)).toBe(false);
    expect(other.events.some((e) => 'port' in e && e.port === 22)).toBe(false);
  });

  it('past the rate the owner gets 429 too_many_requests, with Retry-After', async () => {
    const a = await watching();
    const owner = {
      authorization: `Bearer ${(await a.agent.api.ownerToken()).token}`,
      'content-type': 'application/json',
    };
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await send(a, 'DELETE', `/ports/${40_000 + i}`, owner));
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(errorOf(refused[0]!)).toBe('too_many_requests');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(0);
  });
});
