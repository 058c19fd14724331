/**
 * The dashboard's "Who may open it" select and the `org` visibility, in Chromium against the
 * gateway in workerd (a provider configured, OIDC_ISSUER on loopback: only checked as a URL) and
 * the real client: the select offers org with its help; on a session without an org policy the
 * change is refused (409 org_policy_missing), the page says why and puts the select back; on a
 * session created with a policy, org is taken.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterTest,
  type Harness,
  request,
  type RunningAgent,
  startAgent,
  startHarness,
  startOrigin,
} from '../e2e/harness';
import { browserTests, launchChromium } from './chromium';

const PROVIDER = { OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_CLIENT_ID: 'x' };

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!browserTests) return;
  h = await startHarness(PROVIDER);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const row = (page: Page, port: number) => page.locator(`tr[data-port-row="${port}"]`);

/** The owner's dashboard of `a`, opened with the one-time link the client printed, its port row drawn. */
async function dashboard(a: RunningAgent, port: number): Promise<Page> {
  const ready = a.events.find((e) => e.event === 'ready') as { dashboard?: string } | undefined;
  expect(ready?.dashboard).toContain(`/s/${a.session}?porthole_login=`);
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  afterTest(() => context.close());
  const page = await context.newPage();
  expect((await page.goto(ready?.dashboard as string))?.status()).toBe(200);
  await page.locator('#live', { hasText: /^live$/ }).waitFor({ timeout: 20_000 });
  await row(page, port).waitFor({ timeout: 20_000 });
  return page;
}

async function apiPorts(a: RunningAgent): Promise<{ port: number; visibility: string }[]> {
  const owner = await a.agent.api.ownerToken();
  const reply = await request(h.gateway, `/api/sessions/${a.session}/ports`, {
    headers: { authorization: `Bearer ${owner.token}` },
  });
  return (JSON.parse(reply.body.toString()) as { ports: { port: number; visibility: string }[] }).ports;
}

describe.skipIf(!browserTests)('the dashboard and the org visibility', () => {
  it('offers org; without an org policy the change is refused with the reason and the select goes back', async () => {
    const o = await startOrigin((_req, res) => res.end('app'));
    const a = await startAgent(h, [o.port], { visibility: () => undefined });
    const page = await dashboard(a, o.port);
    const select = row(page, o.port).getByLabel(`Who may open port ${o.port}`);
    expect(await select.inputValue()).toBe('private');
    const options = await select.locator('option').allTextContents();
    expect(options.map((text) => text.trim().split(/\s+/)[0])).toEqual(['private', 'org', 'link', 'public']);
    expect(options[1]).toContain('your organisation');

    await select.selectOption('org');
    const notice = page.locator('#notice', { hasText: 'org visibility needs an organisation' });
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toContain('ORG_EMAIL_DOMAINS');
    expect(await select.inputValue()).toBe('private');
    expect(await apiPorts(a)).toEqual([expect.objectContaining({ port: o.port, visibility: 'private' })]);

    // Another choice still works from the same select afterwards.
    await select.selectOption('link');
    await page.locator('#notice', { hasText: `Port ${o.port} is now link.` }).waitFor();
    expect(await select.inputValue()).toBe('link');
  });

  it('on a session created with a policy, org is taken and stays after the redraw', async () => {
    const o = await startOrigin((_req, res) => res.end('app'));
    const created = await request(h.gateway, '/api/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ policy: { emailDomains: ['example.com'] } }),
    });
    expect(created.status).toBe(201);
    const { session, token } = JSON.parse(created.body.toString()) as { session: string; token: string };
    const a = await startAgent(h, [o.port], { token, session, visibility: () => undefined });
    const page = await dashboard(a, o.port);
    const select = row(page, o.port).getByLabel(`Who may open port ${o.port}`);
    await select.selectOption('org');
    await page.locator('#notice', { hasText: `Port ${o.port} is now org.` }).waitFor({ timeout: 10_000 });
    expect(await select.inputValue()).toBe('org');
    expect(await apiPorts(a)).toEqual([expect.objectContaining({ port: o.port, visibility: 'org' })]);
    await page.reload();
    await row(page, o.port).waitFor({ timeout: 20_000 });
    expect(await row(page, o.port).getByLabel(`Who may open port ${o.port}`).inputValue()).toBe('org');
  });
});
