/**
 * ATTACK (issue 19, clear answers): a method the lifecycle route does not take (`PUT`, `POST`) on
 * `/api/sessions/<id>`, even with the admin token, fell through to the owner API's check and was
 * answered 401 "The owner token is not valid." — wrong on both counts (the token was the admin's
 * and valid; no token makes the method work). It is 405 `method_not_allowed` with `Allow`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type Harness, request, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('/api/sessions/<id> with a method it does not take', () => {
  it('is 405 method_not_allowed with Allow, whoever asks, and the session lives on', async () => {
    const { session, token } = await createSession(h);
    for (const [method, credential] of [
      ['PUT', h.adminToken],
      ['POST', token],
      ['PUT', null],
    ] as const) {
      const reply = await request(h.gateway, `/api/sessions/${session}`, {
        method,
        headers: credential ? { authorization: `Bearer ${credential}` } : {},
        body: '{"state":"asleep"}',
      });
      expect(reply.status, `${method}`).toBe(405);
      expect(reply.headers.allow).toBe('GET, DELETE, PATCH');
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'method_not_allowed', status: 405 });
    }
    const info = await request(h.gateway, `/api/sessions/${session}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(JSON.parse(info.body.toString())).toMatchObject({ state: 'active' });
  });

  it('the event feed and the request log are read with GET: a HEAD (which would open a read nobody takes) is 405', async () => {
    const { session, token } = await createSession(h);
    const minted = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const owner = (JSON.parse(minted.body.toString()) as { token: string }).token;
    for (const [path, credential] of [
      ['events', h.adminToken],
      ['requests', owner],
    ] as const) {
      const reply = await request(h.gateway, `/api/sessions/${session}/${path}`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${credential}` },
      });
      expect(reply.status, path).toBe(405);
      expect(reply.headers.allow, path).toBe('GET');
    }
  });
});
