/**
 * Share controls in a real browser (Debian's Chromium, driven by
 * playwright-core): the owner's login link, a front end on one private port
 * calling an API on another with credentials (preflight included), and a
 * reviewer's link in a fresh profile until it is revoked.
 */
import type http from 'node:http';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, startAgent, startOrigin } from '../e2e/harness';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
}

describe.skipIf(!browserTests)('share controls in Chromium', () => {
  it('owner login, a front end calling a private API on another port, and a revocable reviewer link', async () => {
    const apiSeen: Seen[] = [];
    const api = await startOrigin((req, res) => {
      apiSeen.push({ method: req.method ?? '', headers: req.headers });
      const cors = {
        'access-control-allow-origin': req.headers.origin ?? '',
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        });
        res.end();
        return;
      }
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      res.end('{"saved":true}');
    });
    let apiUrl = '';
    const front = await startOrigin((req, res) => {
      if (req.method === 'POST') {
        res.end('front saved');
        return;
      }
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>front</title><h1>front end</h1>
<pre id="api">pending</pre><pre id="self">pending</pre>
<script>
const show = (id) => (r) => r.text().then((t) => { document.getElementById(id).textContent = r.status + ' ' + t; });
const fail = (id) => (e) => { document.getElementById(id).textContent = 'failed ' + e; };
fetch(${JSON.stringify(`${apiUrl}items`)}, { method: 'POST', credentials: 'include',
  headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' }).then(show('api'), fail('api'));
fetch('/save', { method: 'POST', body: 'x' }).then(show('self'), fail('self'));
</script>`);
    });
    const a = await startAgent(h, [front.port, api.port], { visibility: () => undefined });
    const frontUrl = await a.agent.url(front.port);
    apiUrl = await a.agent.url(api.port);

    // A stranger: the private page.
    const owner = await browser.newContext();
    afterTest(() => owner.close());
    const page = await owner.newPage();
    const stranger = await page.goto(frontUrl);
    expect(stranger?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('This preview is private');

    // The owner opens the one-time login link: logged in to both ports, back on the page, no token in sight.
    const login = await a.agent.api.loginLink(front.port);
    const landed = await page.goto(login.url);
    expect(landed?.status()).toBe(200);
    expect(page.url()).toBe(frontUrl);
    for (const id of ['#api', '#self']) await page.locator(id, { hasNotText: 'pending' }).waitFor({ timeout: 20_000 });
    expect(await page.textContent('#api')).toBe('200 {"saved":true}');
    expect(await page.textContent('#self')).toBe('200 front saved');
    expect(apiSeen.map((s) => s.method)).toEqual(['OPTIONS', 'POST']);
    expect(apiSeen[1]?.headers.cookie).toBeUndefined(); // The Porthole cookie stops at the gateway.
    // One per port host, and (issue 12) the owner's sign-in on the control plane.
    const all = await owner.cookies();
    expect(all.filter((c) => c.name === 'porthole_dashboard').map((c) => c.domain)).toEqual([
      new URL(h.gateway.url).hostname,
    ]);
    const cookies = all.filter((c) => c.name !== 'porthole_dashboard');
    expect(cookies.map((c) => c.domain).sort()).toEqual([new URL(frontUrl).hostname, new URL(apiUrl).hostname].sort());
    for (const cookie of cookies) {
      expect(cookie).toMatchObject({ name: 'porthole', httpOnly: true, sameSite: 'Lax', path: '/' });
    }

    // A reviewer, in a fresh profile, with a link to the front end.
    await a.agent.api.setVisibility(front.port, 'link');
    const link = await a.agent.api.createLink(front.port, { ttlSeconds: 600 });
    const reviewer = await browser.newContext();
    afterTest(() => reviewer.close());
    const view = await reviewer.newPage();
    const opened = await view.goto(link.url);
    expect(opened?.status()).toBe(200);
    expect(view.url()).toBe(frontUrl);
    expect(await view.textContent('h1')).toBe('front end');
    // The API stays the owner's: the reviewer's page is told why, readable across origins.
    await view.locator('#api', { hasNotText: 'pending' }).waitFor({ timeout: 20_000 });
    expect(await view.textContent('#api')).toMatch(/^401 .*preview_private/);

    await a.agent.api.revokeLink(link.id);
    const revoked = await view.reload();
    expect(revoked?.status()).toBe(410);
    expect(await view.textContent('body')).toContain('This link was revoked');
  });
});
