/**
 * The owner API's request-log routes (`GET /api/sessions/<s>/requests[?…]`, `…/requests/<id>`):
 * the session's real client answers from its log through the tunnel (OPEN on port 0), and the
 * gateway passes the answer on with its own headers; who may read it, what query passes, and the
 * bounds (offline, follows per session). A hostile client's answers: requests-api-attack.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, waitFor } from './harness';
import { follow, lineOf, ownerGet, record, streamsOpen } from './requests-log';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const errorOf = (reply: { body: Buffer }) => (JSON.parse(reply.body.toString()) as { error: string }).error;

describe('the owner reads the request log through the gateway', () => {
  it('lists, reads one request, and follows new ones live, with the gateway’s own headers', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const first = record(a.agent, { port: 3000, path: '/one', status: 200, body: 'hello' });
    const second = record(a.agent, { port: 3001, path: '/two', status: 503 });

    const list = await ownerGet(h, a.session, '/requests', token);
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json');
    expect(list.headers['x-content-type-options']).toBe('nosniff');
    expect(list.headers['cache-control']).toBe('no-store');
    expect((JSON.parse(list.body.toString()) as { id: number }[]).map((r) => r.id)).toEqual([first, second]);

    const filtered = await ownerGet(h, a.session, '/requests?port=3001&status=5xx', token);
    expect((JSON.parse(filtered.body.toString()) as { path: string }[]).map((r) => r.path)).toEqual(['/two']);

    const one = await ownerGet(h, a.session, `/requests/${first}`, token);
    expect(one.status).toBe(200);
    const detail = JSON.parse(one.body.toString()) as { path: string; response: { body: { text: string } } };
    expect(detail.path).toBe('/one');
    expect(detail.response.body.text).toBe('hello');
    const gone = await ownerGet(h, a.session, '/requests/999999', token);
    expect([gone.status, errorOf(gone)]).toEqual([404, 'request_not_found']);

    const f = follow(h, a.session, token, `follow=1&after=${first}`);
    const head = await f.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('application/x-ndjson');
    await lineOf(f, second);
    const third = record(a.agent, { port: 3000, path: '/three', status: 201 });
    expect(await lineOf(f, third, 'done')).toMatchObject({ path: '/three', status: 201 });
    expect(f.lines.some((l) => (l as { id: number }).id === first)).toBe(false);

    // The owner leaves: the follow's stream is freed.
    f.close();
    await waitFor(async () => (await streamsOpen(h, a.session, token)) === 0, 'the follow’s stream freed');
  });

  it('refuses anyone but the session’s owner', async () => {
    const a = await startAgent(h, []);
    const other = await startAgent(h, []);
    record(a.agent, { port: 3000, path: '/secret', status: 200 });
    const mint = (claims: Parameters<typeof mintForTest>[1]) => mintForTest(h.tokenSecret, claims);
    const refusedTokens: Record<string, string | undefined> = {
      none: undefined,
      session: a.token,
      share: await mint({ aud: aud.share, sub: a.session, port: 3000, jti: 'abc' }),
      cookie: await mint({ aud: aud.cookie, sub: a.session }),
      otherOwner: (await other.agent.api.ownerToken()).token,
    };
    for (const [name, token] of Object.entries(refusedTokens)) {
      for (const path of ['/requests', '/requests/1', '/requests?follow=1']) {
        const reply = await ownerGet(h, a.session, path, token);
        expect([401, 403], `${name} ${path}: ${reply.body}`).toContain(reply.status);
        expect(reply.body.toString(), name).not.toContain('/secret');
      }
    }
    // The other session's owner reads its own (empty) log, not this one.
    const own = await ownerGet(h, other.session, '/requests', refusedTokens.otherOwner);
    expect([own.status, own.body.toString().trim()]).toEqual([200, '[]']);
  });

  it('refuses a bad query with 400, before the client is asked', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const bad = [
      '/requests?nope=1',
      '/requests?port=3000&port=3001',
      `/requests?path=/${'a'.repeat(2000)}`,
      '/requests?follow=2',
      '/requests/abc',
      '/requests/0',
      '/requests/1?limit=1',
      '/requests?port=99999', // The client's own check, passed on.
    ];
    for (const path of bad) {
      const reply = await ownerGet(h, a.session, path, token);
      expect([reply.status, errorOf(reply)], path).toEqual([400, 'bad_request']);
    }
    const head = await request(h.gateway, `/api/sessions/${a.session}/requests?follow=1`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect([head.status, head.headers.allow]).toEqual([405, 'GET']);
    expect(await streamsOpen(h, a.session, token)).toBe(0);
  });

  it('answers 503 session_offline while the client is not connected', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    await a.agent.stop();
    await waitFor(async () => (await ownerGet(h, a.session, '/status', token)).body.includes('offline'), 'offline');
    for (const path of ['/requests', '/requests/1', '/requests?follow=1']) {
      const reply = await ownerGet(h, a.session, path, token);
      expect([reply.status, errorOf(reply)], path).toEqual([503, 'session_offline']);
    }
  });

  it('ends a follow when the owner signs out everywhere, and refuses the old token after', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const f = follow(h, a.session, token);
    expect((await f.head).statusCode).toBe(200);
    const out = await request(h.gateway, `/api/sessions/${a.session}/signout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(200);
    await waitFor(() => f.ended(), 'the follow ended at sign-out');
    const again = await ownerGet(h, a.session, '/requests?follow=1', token);
    expect([again.status, errorOf(again)]).toEqual([401, 'signed_out']);
  });

  it('ends a follow when the token that opened it expires', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const short = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session, expiresIn: 3 });
    const f = follow(h, a.session, short);
    expect((await f.head).statusCode).toBe(200);
    const id = record(a.agent, { port: 3000, path: '/while-valid', status: 200 });
    await lineOf(f, id, 'done');
    await waitFor(() => f.ended(), 'the follow ended at the token’s expiry', 10_000);
    await waitFor(async () => (await streamsOpen(h, a.session, token)) === 0, 'its stream freed');
  });

  it('carries at most 4 follows per session at once: the fifth gets 429 too_many_follows', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const follows = [1, 2, 3, 4].map(() => follow(h, a.session, token));
    for (const f of follows) expect((await f.head).statusCode).toBe(200);
    const fifth = await ownerGet(h, a.session, '/requests?follow=1', token);
    expect([fifth.status, errorOf(fifth)]).toEqual([429, 'too_many_follows']);
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
    // A list still goes through, and a follow once one ended.
    expect((await ownerGet(h, a.session, '/requests', token)).status).toBe(200);
    follows[0]?.close();
    await waitFor(async () => (await streamsOpen(h, a.session, token)) === 3, 'one follow freed');
    const again = follow(h, a.session, token);
    expect((await again.head).statusCode).toBe(200);
  });
});
