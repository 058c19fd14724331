/**
 * One owner sign-in covers the session, in Chromium: log in once with the
 * dashboard link the client printed, then open private ports that started
 * after the login, from the dashboard's "open" link and from the address bar,
 * with no new link; a fresh profile still gets the private page.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { afterTest, type Harness, startAgent, startOrigin } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

describe.skipIf(!browserTests)('owner sign-in in Chromium', () => {
  it('one dashboard login opens private ports that start later, from the dashboard and the address bar', async () => {
    const [first, second] = (await freePorts(2)) as [number, number];
    const a = await startAgent(h, [], {
      visibility: () => undefined,
      watch: { filter: new PortFilter({ only: [String(first), String(second)] }), intervalMs: 50 },
    });
    const ready = a.events.find((e) => e.event === 'ready') as { dashboard: string };

    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    expect((await page.goto(ready.dashboard))?.status()).toBe(200);

    // A server starts after the login; the dashboard's "open" link opens it as the owner.
    await nodeServer(first, '127.0.0.1', 'first app');
    const firstUrl = await a.agent.url(first);
    const row = page.locator(`tr[data-port-row="${first}"]`);
    await row.waitFor({ timeout: 20_000 });
    const [tab] = await Promise.all([context.waitForEvent('page'), row.locator('a').click()]);
    await tab.waitForURL(firstUrl, { timeout: 20_000 });
    expect(await tab.textContent('body')).toBe('first app');

    // Another one, typed into the address bar, with a path and query kept.
    await nodeServer(second, '127.0.0.1', 'second app');
    const secondUrl = await a.agent.url(second);
    const opened = await page.goto(`${secondUrl}docs?page=2`);
    expect(opened?.status()).toBe(200);
    expect(page.url()).toBe(`${secondUrl}docs?page=2`);
    expect(await page.textContent('body')).toBe('second app');

    // A link on some other page (here a plain local server): the port's redirect drops the Referer,
    // so the sign-in hand-over goes through (a Referer from elsewhere at sign-in is refused).
    const elsewhere = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><a id="go" href="${secondUrl}from-a-link">open</a>`);
    });
    await context.clearCookies({ domain: new URL(secondUrl).hostname }); // So this visit signs in again.
    await page.goto(`http://127.0.0.1:${elsewhere.port}/`);
    await Promise.all([page.waitForURL(`${secondUrl}from-a-link`, { timeout: 20_000 }), page.click('#go')]);
    expect(await page.textContent('body')).toBe('second app');
    expect((await context.cookies(secondUrl)).map((c) => c.name)).toEqual(['porthole']);

    // A stranger's browser: the private page, and it stays there (no redirect loop).
    const strangers = await browser.newContext();
    afterTest(() => strangers.close());
    const view = await strangers.newPage();
    const refused = await view.goto(secondUrl);
    expect(refused?.status()).toBe(401);
    expect(await view.textContent('body')).toContain('This preview is private');
    expect(new URL(view.url()).pathname).toBe(`/s/${a.session}/open`);
  });
});
