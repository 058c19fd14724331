/**
 * Links with a token (a reviewer's share link, a port's login link, the
 * dashboard link) in Chromium: the gateway trades each for a cookie and sends
 * the browser on with a 303 to the clean address, so no session-history entry
 * (back/forward, `history.length`, CDP Page.getNavigationHistory) and no
 * address bar ever carries the token, whether the link is typed or clicked.
 * What a browser still keeps (the link's own URL in its global history, as
 * the first URL it was asked for) is the README's, "Links and browser history".
 */
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

/** Every URL in the tab's session history (CDP), and the address bar's. */
async function history(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
  return [...entries.map((e) => e.url), page.url()];
}

const TOKEN = /porthole_(login|share)=/;

describe.skipIf(!browserTests)('links with a token leave none in the history', () => {
  it('a share link, a login link and the dashboard link, typed or clicked, end on the clean address', async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>app</title><h1>the app</h1>');
    });
    const a = await startAgent(h, [origin.port], { visibility: () => 'link' });
    const url = await a.agent.url(origin.port);
    const share = (await a.agent.api.createLink(origin.port)).url;

    // Typed (or pasted) into the address bar.
    for (const link of [
      share,
      (await a.agent.api.loginLink(origin.port)).url,
      (await a.agent.api.dashboardLink()).url,
    ]) {
      const context = await browser.newContext();
      afterTest(() => context.close());
      const page = await context.newPage();
      const response = await page.goto(link);
      expect(response?.status(), link).toBe(200);
      const seen = await history(page);
      expect(
        seen.filter((u) => TOKEN.test(u)),
        seen.join(' '),
      ).toEqual([]);
      expect(await page.evaluate(() => history.length)).toBe(seen.length - 1);
    }

    // Clicked on another page (a chat, an e-mail in a web client): that page and the clean address only.
    const chat = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>chat</title><a id="go" href="${share.replace(/"/g, '&quot;')}">review</a>`);
    });
    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${chat.port}/`);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(url)), page.click('#go')]);
    expect(await page.textContent('h1')).toBe('the app');
    const seen = await history(page);
    expect(
      seen.filter((u) => TOKEN.test(u)),
      seen.join(' '),
    ).toEqual([]);
    expect(seen.at(-1)).toBe(url);
  });
});
