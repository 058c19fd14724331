/**
 * Exposing and unexposing a port from the dashboard in Chromium, against the gateway in workerd and
 * the real client: a server the client does not expose (nothing watches its port) gets a row with its
 * label once the form asks, its URL answers, "Unexpose" takes it away, and a refusal (the session
 * offline) is shown in the page.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, startAgent } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

describe.skipIf(!browserTests)('expose and unexpose from the dashboard', () => {
  it('exposes a port with a label, unexposes it, and shows why when the session is offline', async () => {
    const [port] = (await freePorts(1)) as [number];
    await nodeServer(port, '127.0.0.1', 'exposed from the dashboard');
    // No watcher and no ports: nothing exposes the server until the owner asks.
    const a = await startAgent(h, [], { visibility: () => 'public' });
    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto((await a.agent.api.dashboardLink()).url);
    await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
    expect(await page.textContent('#panel')).toContain('No ports yet');

    await page.getByLabel('Port to expose', { exact: true }).fill(String(port));
    await page.getByLabel('Label for the port (optional)').fill('notebook');
    await page.getByRole('button', { name: 'Expose', exact: true }).click();
    await page.locator('#notice', { hasText: `Asked the session to expose port ${port}` }).waitFor();
    const row = page.locator(`tr[data-port-row="${port}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.port-label').textContent()).toBe('notebook');
    expect(await page.getByLabel('Port to expose', { exact: true }).inputValue()).toBe(''); // The form is ready for the next.
    expect(await a.agent.api.ports()).toEqual([expect.objectContaining({ port, label: 'notebook' })]);
    // Its URL answers (the owner's browser: the dashboard's sign-in covers the session's ports).
    const preview = await context.newPage();
    const opened = await preview.goto((await row.locator('a').getAttribute('href')) as string);
    expect(opened?.status()).toBe(200);
    expect(await preview.textContent('body')).toBe('exposed from the dashboard');
    await preview.close();

    await row.getByRole('button', { name: `Unexpose port ${port}` }).click();
    await page.locator('#notice', { hasText: `Asked the session to unexpose port ${port}` }).waitFor();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    expect(await a.agent.api.ports()).toEqual([]);

    // Offline: the gateway's refusal is shown, not swallowed.
    a.agent.stop();
    await page.locator('.banner', { hasText: 'This session is offline' }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Port to expose', { exact: true }).fill(String(port));
    await page.getByRole('button', { name: 'Expose', exact: true }).click();
    await page.locator('#notice.error', { hasText: 'not connected' }).waitFor();
  });
});
