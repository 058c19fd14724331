/**
 * The dashboard's forward commands in Chromium, against the gateway in workerd and the real client
 * (watching ports): each port's row shows `porthole forward <port> --gateway <the page's origin>`,
 * its Copy button puts exactly that on the clipboard, a port that binds after the page loaded (the
 * live feed redraws the panel) gets one too, one line above the table says how to get the owner
 * token it needs, and no token is anywhere in the page's body.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { root } from '../../scripts/build.mjs';
import { afterTest, type Harness, startAgent } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { browserTests, withHarnessAndChromium } from './chromium';

const OUTPUT = join(root, 'test-results', 'browser');

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

const row = (page: Page, port: number) => page.locator(`tr[data-port-row="${port}"]`);
/** A JWT, as every Porthole token is (header.payload.signature, base64url). */
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

describe.skipIf(!browserTests)('the forward command on the dashboard', () => {
  it("shows each port's forward command for the page's own gateway, copies it, and names no token", async () => {
    const [first, later] = (await freePorts(2)) as [number, number];
    await nodeServer(first, '127.0.0.1', 'first');
    const a = await startAgent(h, [], {
      visibility: () => undefined,
      watch: { filter: new PortFilter({ only: [String(first), String(later)] }), intervalMs: 50 },
    });
    const context = await browser.newContext({
      viewport: { width: 1100, height: 800 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    afterTest(() => context.close());
    const page = await context.newPage();
    await page.goto((await a.agent.api.dashboardLink()).url);
    await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
    await row(page, first).waitFor({ timeout: 20_000 });

    const origin = new URL(h.gateway.url).origin;
    expect(await page.evaluate('location.origin')).toBe(origin);
    const command = (port: number) => `porthole forward ${port} --gateway ${origin}`;
    const shown = async (port: number) => ({
      code: await row(page, port).locator('td.forward code').textContent(),
      copy: await row(page, port)
        .getByRole('button', { name: `Copy the forward command of port ${port}` })
        .getAttribute('data-copy'),
    });
    expect(await shown(first)).toEqual({ code: command(first), copy: command(first) });

    // Copy puts exactly the command on the clipboard.
    await page.evaluate("navigator.clipboard.writeText('something else')");
    await row(page, first)
      .getByRole('button', { name: `Copy the forward command of port ${first}` })
      .click();
    await page.locator('#notice', { hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command(first));

    // One line near the table (not per row) says what the command needs and what it is for.
    const note = page.locator('#panel .forward-note');
    expect(await note.count()).toBe(1);
    const noteText = (await note.textContent())?.replace(/\s+/g, ' ');
    expect(noteText).toContain('porthole token');
    expect(noteText).toContain('PORTHOLE_OWNER_TOKEN');
    expect(noteText).toContain('databases');

    // A port that binds after the page loaded: the live feed's redraw brings its row, with its command.
    await nodeServer(later, '127.0.0.1', 'later');
    await row(page, later).waitFor({ timeout: 20_000 });
    expect(await shown(later)).toEqual({ code: command(later), copy: command(later) });
    expect(await shown(first)).toEqual({ code: command(first), copy: command(first) });
    expect(await page.locator('#panel .forward-note').count()).toBe(1);
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator('#panel').screenshot({ path: join(OUTPUT, 'dashboard-forward.png') });

    // No token in the page's body (the page token lives only in its <head>, for the script).
    const pageToken = await page.getAttribute('meta[name="porthole-token"]', 'content');
    expect(pageToken).toMatch(JWT);
    const body = await page.evaluate<string>('document.body.outerHTML');
    expect(body).not.toMatch(JWT);
    expect(body).not.toContain(pageToken);
    expect(body).not.toContain((await a.agent.api.ownerToken()).token);
  });
});
