/**
 * Issue 16's dashboard and page details in Chromium, against the gateway in workerd, the real client
 * and a real server: a link made for a private port warns and offers the fix, and its reviewer reads
 * why it does not open; lifetimes in order; revoke asks first; times in the viewer's zone; captions on
 * phone-width cards; no Markdown backticks on pages; the bare domain names the scheme it is served on.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, type RunningAgent, startAgent } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { browserTests, stranger, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

/** A session with a server on one port (`visibility` given to the client), and its dashboard open in `options`. */
async function dashboard(
  visibility: 'private' | 'public',
  options: BrowserContextOptions = {},
): Promise<{ a: RunningAgent; port: number; page: Page }> {
  const [port] = (await freePorts(1)) as [number];
  const a = await startAgent(h, [port], { visibility: () => visibility });
  await nodeServer(port, '127.0.0.1', 'details');
  const context = await browser.newContext(options);
  afterTest(() => context.close());
  const page = await context.newPage();
  await page.goto((await a.agent.api.dashboardLink()).url);
  await page.locator(`tr[data-port-row="${port}"]`).waitFor();
  await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
  return { a, port, page };
}

const row = (page: Page, port: number) => page.locator(`tr[data-port-row="${port}"]`);

describe.skipIf(!browserTests)('dashboard details in Chromium', () => {
  it('a link for a private port warns and offers link; its reviewer reads the real reason, without backticks', async () => {
    const { port, page } = await dashboard('private');
    const lifetimes = row(page, port).getByLabel(`Lifetime of a new link to port ${port}`);
    expect(await lifetimes.locator('option').allTextContents()).toEqual(['10m', '1h', '24h', '7d']);
    await row(page, port).getByRole('button', { name: 'Create link' }).click();
    const link = await page.locator('#new-link').inputValue();
    await expect(page.locator('#private-warning').textContent()).resolves.toContain(
      `Port ${port} is private: this link opens it only once the port is set to link.`,
    );

    // The reviewer is told what is true: the port is private, and what its owner can do.
    const refused = await stranger(browser, link);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('share links open only ports set to link or public');
    expect(refused.text).toContain(`porthole share ${port} link`);
    expect(refused.text).not.toContain('turned share links off');
    expect(refused.text).not.toContain('`');

    // One click from the warning lets the link in.
    await page.getByRole('button', { name: `Set port ${port} to link` }).click();
    await page.locator('#notice', { hasText: `Port ${port} is now link` }).waitFor();
    expect(await row(page, port).getByLabel(`Who may open port ${port}`).inputValue()).toBe('link');
    const opened = await stranger(browser, link);
    expect(opened.status).toBe(200);
    expect(opened.text).toBe('details');
  });

  it('no warning for a link to a port that already lets links in', async () => {
    const { port, page } = await dashboard('public');
    await row(page, port).getByRole('button', { name: 'Create link' }).click();
    await page.locator('#new-link').waitFor();
    expect(await page.locator('#private-warning').count()).toBe(0);
  });

  it('revoke asks first: Escape keeps the link, the keyboard can confirm', async () => {
    const { a, port, page } = await dashboard('public');
    const link = await a.agent.api.createLink(port, { label: 'to revoke' });
    const linkRow = page.locator(`tr[data-link-row="${link.id}"]`);
    await linkRow.waitFor();

    const revoke = page.getByRole('button', { name: `Revoke link ${link.id}` });
    const dialog = page.getByRole('dialog', { name: 'Revoke this link?' });
    await revoke.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Link ${link.id} to port ${port} stops working`);
    // Focus starts on the safe answer; Escape cancels.
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await a.agent.api.links()).toEqual([expect.objectContaining({ id: link.id })]);

    // Cancel by its button keeps it too; then Tab, Enter on "Revoke link" revokes.
    await revoke.click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await revoke.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Revoke link');
    await page.keyboard.press('Enter');
    await linkRow.waitFor({ state: 'detached' });
    await page.locator('#notice', { hasText: `Link ${link.id} revoked.` }).waitFor();
    expect(await a.agent.api.links()).toEqual([]);
  });

  it("shows times in the viewer's own time zone, naming it", async () => {
    const { a, port, page } = await dashboard('public', { timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
    const seen = row(page, port).locator('time');
    const iso = (await seen.getAttribute('datetime')) as string;
    const tokyo = new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(11, 16);
    await expect(seen.textContent()).resolves.toContain(`${tokyo} GMT+9`);
    expect(await page.locator('.status time').textContent()).toContain('GMT+9');
    // A row drawn later (the live feed) too.
    const link = await a.agent.api.createLink(port);
    const expires = page.locator(`tr[data-link-row="${link.id}"] time`);
    await expires.waitFor();
    expect(await expires.textContent()).toContain('GMT+9');
    expect(await expires.textContent()).not.toContain('UTC');
  });

  it('keeps a caption on every value of the stacked cards at phone width (375×700), none on a wide screen', async () => {
    const { a, port, page } = await dashboard('public', { viewport: { width: 375, height: 700 }, isMobile: true });
    const link = await a.agent.api.createLink(port, { label: 'phone' });
    const linkRow = page.locator(`tr[data-link-row="${link.id}"]`);
    await linkRow.waitFor();
    for (const [where, captions] of [
      [row(page, port), ['Port', 'Process', 'Who may open it', 'URL', 'From your machine', 'First seen', 'Share']],
      [linkRow, ['Link', 'Port', 'Label', 'Expires', 'Actions']],
    ] as const) {
      const shown = where.locator('.caption');
      expect(await shown.allTextContents()).toEqual(captions);
      for (const caption of await shown.all()) expect(await caption.isVisible()).toBe(true);
    }
    await page.setViewportSize({ width: 1100, height: 800 });
    expect(await row(page, port).locator('.caption').first().isVisible()).toBe(false);
  });

  it('the bare domain page names the scheme it is served on', async () => {
    const page = await stranger(browser, `${h.gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Port previews live at http://');
    expect(page.text).not.toContain('https://');
  });
});
