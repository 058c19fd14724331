/**
 * ATTACK (issue 19, the control plane's JSON bodies): the session's VM holds its session token and
 * mints owner tokens, and every JSON call of the control plane read its whole body into the Worker's
 * memory before looking at it. A body of tens of MiB (whitespace around `{}` is valid JSON) costs a
 * Worker shared with every other session's requests several times its size (the text, then the
 * parse), and on Cloudflare past 128 MB the isolate is reset with them all. The calls' bodies are a
 * few small fields: past 256 KiB the answer is 413 `body_too_large`, the rest of the body read and dropped, not kept.
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

/** `{}` and 8 MiB of spaces: valid JSON, an empty object. */
const huge = `{}${' '.repeat(8 * 1024 * 1024)}`;

describe('JSON bodies of the control plane are bounded', () => {
  it('a huge body to mint an owner token (session token) is 413 body_too_large', async () => {
    const { session, token } = await createSession(h);
    const reply = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: huge,
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'body_too_large', status: 413 });
    // A body of the right size still works.
    const small = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"ttl": 600}${' '.repeat(1000)}`,
    });
    expect(small.status).toBe(201);
  });

  it('so is one to the lifecycle (admin token)', async () => {
    const { session } = await createSession(h);
    const reply = await request(h.gateway, `/api/sessions/${session}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      body: `{"state":"asleep"}${' '.repeat(8 * 1024 * 1024)}`,
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'body_too_large' });
  });
});
