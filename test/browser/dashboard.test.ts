/**
 * The session dashboard in Chromium, against the gateway in workerd, the real
 * client (watching ports) and a real server process: log in through the owner
 * link, watch a port appear, make it public, share and revoke a link, watch
 * the port go and the session go offline.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { root } from '../../scripts/build.mjs';
import { afterTest, type Harness, request, startAgent } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { browserTests, stranger, withHarnessAndChromium } from './chromium';

const OUTPUT = join(root, 'test-results', 'browser');

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

const row = (page: Page, port: number) => page.locator(`tr[data-port-row="${port}"]`);

describe.skipIf(!browserTests)('the session dashboard in Chromium', () => {
  it('logs in, shows ports live, changes visibility, shares and revokes links, and shows the session going offline', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [], {
      visibility: () => undefined,
      watch: { filter: new PortFilter({ only: [String(port)] }), intervalMs: 50 },
    });
    // The client printed a one-time dashboard link with `ready`.
    const ready = a.events.find((e) => e.event === 'ready');
    expect(ready).toMatchObject({ dashboard: expect.stringContaining(`/s/${a.session}?porthole_login=`) });
    const dashboardUrl = (ready as { dashboard: string }).dashboard;

    // Without the link: a clear refusal.
    const refused = await stranger(browser, dashboardUrl.split('?')[0] as string);
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('porthole dashboard');

    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    afterTest(() => context.close());
    const page = await context.newPage();
    const landed = await page.goto(dashboardUrl);
    expect(landed?.status()).toBe(200);
    expect(page.url()).toBe(dashboardUrl.split('?')[0]); // The token is gone from the address.
    await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.status').textContent()).resolves.toContain('Tunnel up');
    expect(await page.textContent('#panel')).toContain('No ports yet');

    // A server binds: its row appears without a reload.
    const server = await nodeServer(port, '127.0.0.1', 'from the dashboard test');
    await row(page, port).waitFor({ timeout: 20_000 });
    const url = await a.agent.url(port);
    expect(await row(page, port).textContent()).toContain('node');
    expect(await row(page, port).locator('a').getAttribute('href')).toBe(url);
    expect(await row(page, port).getByLabel(`Who may open port ${port}`).inputValue()).toBe('private');
    expect((await stranger(browser, url)).status).toBe(401);

    // Public, from the page: a fresh browser opens the URL.
    await row(page, port).getByLabel(`Who may open port ${port}`).selectOption('public');
    await page.locator('#notice', { hasText: `Port ${port} is now public.` }).waitFor();
    const open = await stranger(browser, url);
    expect(open.status).toBe(200);
    expect(open.text).toBe('from the dashboard test');

    // Link only, and a labelled link for a reviewer.
    await row(page, port).getByLabel(`Who may open port ${port}`).selectOption('link');
    await page.locator('#notice', { hasText: `Port ${port} is now link.` }).waitFor();
    expect((await stranger(browser, url)).status).toBe(401);
    await row(page, port).getByLabel(`Label of a new link to port ${port}`).fill('for review');
    await row(page, port).getByRole('button', { name: 'Create link' }).click();
    const link = await page.locator('#new-link').inputValue();
    expect(link).toContain('?porthole_share=');
    const linkRow = page.locator('tr[data-link-row]', { hasText: 'for review' });
    await linkRow.waitFor();
    const reviewer = await stranger(browser, link);
    expect(reviewer.status).toBe(200);
    expect(reviewer.text).toBe('from the dashboard test');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });

    // Revoke it: gone from the list, and the link says so.
    const id = await linkRow.getAttribute('data-link-row');
    await page.getByRole('button', { name: `Revoke link ${id}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke link' }).click();
    await linkRow.waitFor({ state: 'detached' });
    const revoked = await stranger(browser, link);
    expect(revoked.status).toBe(410);
    expect(revoked.text).toContain('This link was revoked');

    // The server stops: its row stays (the owner chose its visibility), with a hint beside the
    // visibility that nothing listens there now. The client stops: the offline banner shows.
    await server.stop();
    await a.event((e) => e.event === 'port.close' && e.port === port, 'port.close');
    const hint = row(page, port).locator(`[data-not-listening="${port}"]`);
    await hint.waitFor({ timeout: 20_000 });
    expect(await hint.textContent()).toContain(`Nothing listens on port ${port} right now`);
    a.agent.stop();
    await page.locator('.banner', { hasText: 'This session is offline' }).waitFor({ timeout: 20_000 });

    // Every change went through the owner JSON API: it agrees with what the page showed.
    const owner = await a.agent.api.ownerToken().catch(() => null);
    if (owner) {
      const ports = await request(h.gateway, `/api/sessions/${a.session}/ports`, {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      expect(JSON.parse(ports.body.toString()).ports).toEqual([
        expect.objectContaining({ port, visibility: 'link', listening: false }),
      ]);
    }
  });

  it('renews its page token when the API says it expired, and signs out everywhere from its button', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [port], { visibility: () => 'private' });
    await nodeServer(port, '127.0.0.1', 'signed in');
    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto((await a.agent.api.dashboardLink()).url);
    await row(page, port).waitFor();
    const url = await a.agent.url(port);
    await page.goto((await a.agent.api.loginLink(port)).url); // This browser is in as the owner on the port too.
    expect(await page.textContent('body')).toBe('signed in');
    await page.goto(`${h.gateway.url}/s/${a.session}`);

    // The page token has expired (a laptop that slept): the page renews it with its cookie, and the change goes through.
    let refused = false;
    await page.route('**/api/sessions/*/ports/*', async (route) => {
      if (refused) return route.continue();
      refused = true;
      await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"login_expired"}' });
    });
    const renewal = page.waitForResponse((r) => r.url().endsWith(`/s/${a.session}/page-token`));
    await row(page, port).getByLabel(`Who may open port ${port}`).selectOption('link');
    expect((await renewal).status()).toBe(200);
    await page.locator('#notice', { hasText: `Port ${port} is now link.` }).waitFor();

    // Sign out everywhere: the page says so, a reload asks for a new link, the port asks to sign in.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.locator('#notice', { hasText: 'Signed out everywhere' }).waitFor();
    expect((await page.reload())?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('sign out everywhere');
    const preview = await page.goto(url);
    expect(preview?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('This preview is private');
    expect(a.events.some((e) => e.event === 'tunnel.down')).toBe(false);
  });

  it('is readable at phone width, with labelled controls', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [port], { visibility: () => 'public' });
    await nodeServer(port, '127.0.0.1', 'phone');
    const link = await a.agent.api.dashboardLink();
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto(link.url);
    await row(page, port).waitFor();
    // Nothing wider than the screen: the table folds into rows of fields.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    for (const control of await page.locator('select, button, input').all()) {
      const name = (await control.getAttribute('aria-label')) ?? (await control.textContent());
      expect(name?.trim()).toBeTruthy();
    }
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'dashboard-phone.png'), fullPage: true });
  });
});
