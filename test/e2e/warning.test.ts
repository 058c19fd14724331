/** The optional public-preview warning (PUBLIC_PREVIEW_WARNING=on): who sees it, who does not, and what it keeps. */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
let off: Harness;
let hits = 0;
let lastCookie: string | undefined;
let origin: { port: number; close(): Promise<void> };
beforeAll(async () => {
  [h, off] = await Promise.all([startHarness({ PUBLIC_PREVIEW_WARNING: 'on' }), startHarness()]);
  origin = await startOrigin((req: http.IncomingMessage, res) => {
    hits++;
    lastCookie = req.headers.cookie;
    res.setHeader('set-cookie', ['porthole_warned=0; Path=/', 'app=1; Path=/']);
    res.end('the app');
  });
});
afterAll(async () => {
  await origin?.close();
  await Promise.all([h?.stop(), off?.stop()]);
});

const page = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };

/** A public port on gateway `g`, and a request to it that counts origin hits. */
async function publicPort(g: Harness) {
  const a = await startAgent(g, [origin.port], { visibility: () => 'public' });
  const url = await a.agent.url(origin.port);
  const get = async (headers: Record<string, string>, method = 'GET') => {
    const before = hits;
    const reply = await request(g.gateway, url, { method, headers });
    return { reply, reached: hits - before };
  };
  return { url, get, session: a.session };
}

describe('public-preview warning', () => {
  it("a browser's first page load gets the warning, naming the session and port; the app is not contacted", async () => {
    const { get, session } = await publicPort(h);
    const { reply, reached } = await get(page);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-porthole-warning']).toBe('public-preview');
    const text = reply.body.toString();
    expect(text).toContain('not a page of this site');
    expect(text).toContain(String(origin.port));
    expect(text).toContain(session);
    expect(reached).toBe(0);
  });

  it('Continue sets a host-only cookie and returns to the page; then the app answers and never sees the cookie', async () => {
    const { url, get } = await publicPort(h);
    const cont = await get(page).then(() => request(h.gateway, `${url}deep/path?q=1&porthole_continue=1`));
    expect(cont.status).toBe(303);
    expect(cont.headers.location).toBe(`${url}deep/path?q=1`);
    const cookie = String(cont.headers['set-cookie']);
    expect(cookie).toMatch(/^porthole_warned=1;/);
    expect(cookie).not.toMatch(/domain=/i);
    const { reply, reached } = await get({ ...page, cookie: 'porthole_warned=1; app=1' });
    expect(reply.body.toString()).toBe('the app');
    expect(reached).toBe(1);
    expect(lastCookie).toBe('app=1');
    // The app cannot set (or clear) the warning's cookie; its own cookie passes.
    expect(reply.headers['set-cookie']).toEqual(['app=1; Path=/']);
  });

  it.each([
    ['a fetch (Sec-Fetch-Dest empty)', { ...page, 'sec-fetch-dest': 'empty' }, 'GET'],
    ['a tool asking for JSON', { accept: 'application/json' }, 'GET'],
    ['a tool sending X-Porthole-Skip-Warning', { ...page, 'x-porthole-skip-warning': '1' }, 'GET'],
    ['a form POST', page, 'POST'],
  ])('%s goes straight to the app', async (_what, headers, method) => {
    const { get } = await publicPort(h);
    const { reply, reached } = await get(headers, method);
    expect(reply.body.toString()).toBe('the app');
    expect(reached).toBe(1);
  });

  it('a private port (as its owner) shows no warning', async () => {
    const a = await startAgent(h, [origin.port], { visibility: () => 'private' });
    const url = await a.agent.url(origin.port);
    const token = (await a.agent.api.ownerToken()).token;
    const reply = await request(h.gateway, url, { headers: { ...page, 'x-porthole-token': token } });
    expect(reply.status, reply.body.toString().slice(0, 300)).toBe(200);
    expect(reply.body.toString()).toBe('the app');
  });

  it('is off by default', async () => {
    const { get } = await publicPort(off);
    const { reply, reached } = await get(page);
    expect(reply.body.toString()).toBe('the app');
    expect(reached).toBe(1);
  });
});
