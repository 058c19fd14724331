/**
 * The site boundary of the default host shape (docs/hosts.md), as Chromium
 * itself draws it: a session's ports `<port>-<sig>.<session>.localhost` are one
 * site, another session's previews and the control domain `porthole.localhost`
 * are other sites. Chromium says which in `Sec-Fetch-Site` (Fetch Metadata),
 * which the origins record; and it lets a page set a cookie for its own
 * session's site but not for `localhost`, the level all sessions share.
 */
import type http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, startAgent, startOrigin } from '../e2e/harness';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

/** Fetches each URL from `page` (no-cors: only what reaches the origin matters), as a script on it would. */
function fetchFrom(page: Page, urls: string[]): Promise<unknown> {
  return page.evaluate(
    (list) => Promise.all(list.map((u) => fetch(u, { mode: 'no-cors', credentials: 'include' }).catch(() => null))),
    urls,
  );
}

describe.skipIf(!browserTests)('a site per session in Chromium', () => {
  it("a session's ports are one site; another session's previews and the control domain are not", async () => {
    const seen = new Map<string, string | undefined>();
    const handler: http.RequestListener = (req, res) => {
      const tag = new URL(req.url ?? '/', 'http://x').searchParams.get('tag');
      if (tag) seen.set(tag, req.headers['sec-fetch-site'] as string | undefined);
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>preview</title>');
    };
    const [a1, a2, b1] = [await startOrigin(handler), await startOrigin(handler), await startOrigin(handler)];
    const a = await startAgent(h, [a1.port, a2.port]);
    const b = await startAgent(h, [b1.port]);
    const [urlA1, urlA2, urlB1] = [await a.agent.url(a1.port), await a.agent.url(a2.port), await b.agent.url(b1.port)];
    expect(new URL(urlA1).hostname).toMatch(new RegExp(`^${a1.port}-[a-z2-7]{16}\\.${a.session}\\.localhost$`));

    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto(urlA1);
    await fetchFrom(page, [`${urlA2}?tag=sibling`, `${urlB1}?tag=other-session`]);
    await page.goto(`${h.gateway.url}/healthz`);
    await fetchFrom(page, [`${urlA1}?tag=from-control`]);

    expect(Object.fromEntries(seen)).toEqual({
      sibling: 'same-site',
      'other-session': 'cross-site',
      'from-control': 'cross-site',
    });
  });

  it("a preview may set a cookie for its session's site, never for localhost (every session's parent)", async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>preview</title>');
    });
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto(url);
    // Runs in the page (Node's types know no `document`).
    await page.evaluate((session) => {
      const doc = (globalThis as unknown as { document: { cookie: string } }).document;
      doc.cookie = `session_wide=1; path=/; domain=${session}.localhost`;
      doc.cookie = 'everyone=1; path=/; domain=localhost';
    }, a.session);
    const cookies = (await context.cookies()).map((c) => `${c.name}@${c.domain}`);
    expect(cookies).toContain(`session_wide@.${a.session}.localhost`);
    expect(cookies.filter((c) => c.startsWith('everyone'))).toEqual([]);
  });
});
