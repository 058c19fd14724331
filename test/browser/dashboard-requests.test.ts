/**
 * The dashboard's requests panel in Chromium, against the gateway in workerd, the real client (its
 * request log filled by its taps) and a real origin: a request made after the page loaded shows up
 * live; its detail shows headers and body; markup in its path, headers and body is shown as text
 * (no element made, no script run, no dialog).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, request, type RunningAgent, startAgent, startOrigin } from '../e2e/harness';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

const OUTPUT = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-results', 'browser');
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';

/**
 * A session whose port answers `body` (text/plain) to everything, and its dashboard, live;
 * `beforePage` runs once the port has its URL, before the page is opened.
 */
async function dashboard(
  body: string,
  beforePage?: (url: string) => Promise<void>,
): Promise<{ page: Page; url: string; dialogs: string[]; a: RunningAgent; port: number }> {
  const origin = await startOrigin((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'x-origin': IMG });
    res.end(body);
  });
  const a = await startAgent(h, [origin.port]);
  const url = await a
    .event((e) => e.event === 'port.open' && e.port === origin.port, 'port.open')
    .then((e) => {
      if (!('url' in e) || typeof e.url !== 'string') throw new Error('port.open without a url');
      return e.url;
    });
  await beforePage?.(url);
  const context = await browser.newContext();
  afterTest(() => context.close());
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto((await a.agent.api.dashboardLink()).url);
  await page.locator('#requests-live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
  return { page, url, dialogs, a, port: origin.port };
}

describe.skipIf(!browserTests)('the dashboard’s requests panel in Chromium', () => {
  it('shows a new request live, and its detail with headers and body', async () => {
    const { page, url } = await dashboard('hello from the origin');
    const rows = page.locator('#requests-rows tr');
    const before = await rows.count();

    const reply = await request(h.gateway, `${url}live-check?n=1`, { headers: { 'x-probe': 'seen' } });
    expect(reply.status).toBe(200);
    const row = page.locator('#requests-rows tr', { hasText: '/live-check?n=1' });
    await row.locator('td', { hasText: /^200$/ }).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(before + 1);
    const cells = await row.locator('td').allTextContents();
    expect(cells[3]).toBe('GET');
    expect(cells[2]).toBe('public');

    await row.locator('button.request-path').click();
    const detail = page.locator('#request-detail');
    await detail.locator('h3', { hasText: 'GET /live-check?n=1 → 200' }).waitFor();
    expect(await detail.locator('table.headers', { hasText: 'Request headers' }).textContent()).toContain('seen');
    expect(await detail.locator('pre').textContent()).toBe('hello from the origin');
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator('#requests').screenshot({ path: join(OUTPUT, 'dashboard-requests.png') });
    await detail.getByRole('button', { name: 'Close' }).click();
    expect(await detail.isHidden()).toBe(true);
  });

  it('lists the newest on top: the backlog the page opens with, then a request made after', async () => {
    const { page, url } = await dashboard('ordered', async (url) => {
      for (const n of [1, 2, 3]) expect((await request(h.gateway, `${url}old-${n}`)).status).toBe(200);
    });
    await page.locator('#requests-rows tr', { hasText: '/old-3' }).waitFor({ timeout: 15_000 });
    await request(h.gateway, `${url}new-4`);
    const newest = page.locator('#requests-rows tr', { hasText: '/new-4' });
    await newest.locator('td', { hasText: /^200$/ }).waitFor({ timeout: 15_000 });
    const paths = await page.locator('#requests-rows button.request-path').allTextContents();
    expect(paths).toEqual(['/new-4', '/old-3', '/old-2', '/old-1']);
  });

  it('markup in the path, headers and body is shown as text: no element, no script, no dialog', async () => {
    const { page, url, dialogs } = await dashboard(`${SCRIPT}${IMG}`);
    await request(h.gateway, `${url}hostile/${IMG.replaceAll(' ', '/')}${SCRIPT}`, {
      headers: { 'x-hostile': IMG, 'x-also': SCRIPT },
    });
    const row = page.locator('#requests-rows tr', { hasText: 'hostile' });
    await row.locator('td', { hasText: /^200$/ }).waitFor({ timeout: 15_000 });
    await row.locator('button.request-path').click();
    const detail = page.locator('#request-detail');
    await detail.locator('pre').waitFor();

    expect(await detail.locator('table.headers', { hasText: 'Request headers' }).textContent()).toContain(IMG);
    expect(await detail.locator('table.headers', { hasText: 'Response headers' }).textContent()).toContain(IMG);
    expect(await detail.locator('pre').textContent()).toBe(`${SCRIPT}${IMG}`);
    expect(await page.locator('#requests img, #requests script').count()).toBe(0);
    expect(await page.locator('img, script:not([src])').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('follows again after the session’s client restarts (its new log, ids from 1 again)', async () => {
    const { page, url, a, port } = await dashboard('before and after');
    await request(h.gateway, `${url}before-restart`);
    await request(h.gateway, `${url}before-restart-2`);
    await page.locator('#requests-rows tr', { hasText: '/before-restart-2' }).waitFor({ timeout: 15_000 });

    await a.agent.stop();
    await page.locator('#requests-live', { hasText: /^(?!live$)/ }).waitFor({ timeout: 15_000 });
    const b = await startAgent(h, [port], { token: a.token, session: a.session });
    await b.event((e) => e.event === 'port.open' && e.port === port, 'port.open after the restart');
    await request(h.gateway, `${url}after-restart`);
    await page.locator('#requests-rows tr', { hasText: '/after-restart' }).waitFor({ timeout: 30_000 });
    // The old client's request 1 is gone with its log: the list is the new log's.
    expect(await page.locator('#requests-rows tr', { hasText: '/before-restart' }).count()).toBe(0);
    expect(await page.locator('#requests-rows tr').count()).toBe(1);
  });
});
