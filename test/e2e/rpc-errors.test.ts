/**
 * A GatewayError thrown inside a Session object's RPC method reaches the caller as itself
 * (gateway/rpc-error.ts): its status, code and message, not a 500. Here: the owner API's
 * `POST /links` past MAX_LINKS (409 `too_many_links`), and any owner call of an ended session (410).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINKS } from '../../gateway/session/shares';
import { createSession, type Harness, request, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** One owner API call with `token` as Bearer; status, headers and JSON body. */
async function api(session: string, method: string, path: string, token: string, body?: unknown) {
  const reply = await request(h.gateway, `/api/sessions/${session}${path}`, {
    method,
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: reply.status,
    headers: reply.headers,
    body: JSON.parse(reply.body.toString() || '{}') as Record<string, unknown>,
  };
}

async function ownerSession(): Promise<{ session: string; owner: string }> {
  const { session, token } = await createSession(h);
  const traded = await api(session, 'POST', '/owner-token', token);
  expect(traded.status).toBe(201);
  return { session, owner: String(traded.body.token) };
}

describe('GatewayErrors across RPC', () => {
  it(`link ${MAX_LINKS + 1} is refused 409 too_many_links, with the limit's message`, async () => {
    const { session, owner } = await ownerSession();
    for (let i = 0; i < MAX_LINKS; i++) {
      const made = await api(session, 'POST', '/links', owner, { port: 3000 });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const refused = await api(session, 'POST', '/links', owner, { port: 3000 });
    expect(refused.status).toBe(409);
    expect(refused.headers['x-porthole-error']).toBe('too_many_links');
    expect(refused.body).toMatchObject({
      error: 'too_many_links',
      status: 409,
      message: `a session holds at most ${MAX_LINKS} live links; revoke some first`,
    });
    // Revoking one makes room again.
    const links = (await api(session, 'GET', '/links', owner)).body.links as { id: string }[];
    expect(links).toHaveLength(MAX_LINKS);
    expect((await api(session, 'DELETE', `/links/${links[0]?.id}`, owner)).status).toBe(200);
    expect((await api(session, 'POST', '/links', owner, { port: 3000 })).status).toBe(201);
  }, 120_000);
});
