/**
 * Signing in with the team's provider, in Chromium (issue 18, docs/identity.md): a real OpenID
 * provider on loopback (oidc-provider, test/e2e/oidc/provider.ts), the gateway in workerd
 * configured against it, the real client and origins. Nobody types a login link:
 * - alice, the session's owner, signs in once and opens a private port, an org port and the dashboard;
 * - bob, of the same org (group `eng`), opens the org port and is refused on the private one by name;
 * - eve, outside the policy, is refused on both, by name, with nothing of the app shown;
 * - signing out ends the sign-in and the port cookie it gave.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, type Harness, request, startAgent, startOrigin } from '../e2e/harness';
import { type TestProvider } from '../e2e/oidc/provider';
import { browserTests, launchChromium } from './chromium';
import { createIdentitySession, startProviderHarness } from '../e2e/oidc/identity-setup';

let provider: TestProvider;
let h: Harness;
let browser: Browser;
let session: string;
let privateUrl: string;
let orgUrl: string;

beforeAll(async () => {
  if (!browserTests) return;
  ({ provider, h } = await startProviderHarness());
  const body = await createIdentitySession(h, { owner: { email: 'alice@example.com' }, policy: { groups: ['eng'] } });
  session = body.session;
  const privateApp = await startOrigin((_req, res) => res.end('<h1>the private app</h1>'));
  const orgApp = await startOrigin((_req, res) => res.end('<h1>the team app</h1>'));
  const visibility = (port: number) => (port === orgApp.port ? ('org' as const) : ('private' as const));
  const agent = await startAgent(h, [privateApp.port, orgApp.port], { ...body, visibility });
  const urlOf = async (port: number) =>
    (
      (await agent.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`)) as {
        url: string;
      }
    ).url;
  privateUrl = await urlOf(privateApp.port);
  orgUrl = await urlOf(orgApp.port);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
  await provider?.stop();
});

async function person(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  afterTest(() => context.close());
  return { context, page: await context.newPage() };
}

/** Goes to `url`; when the provider's sign-in page shows, signs in there as `email`. The final status. */
async function visit(page: Page, url: string, email: string): Promise<number> {
  let response = await page.goto(url);
  if (new URL(page.url()).origin === provider.issuer) {
    await page.fill('input[name="login"]', email);
    [response] = await Promise.all([
      page.waitForNavigation({ url: (u) => u.origin !== provider.issuer }),
      page.click('button[type="submit"]'),
    ]);
  }
  return response?.status() ?? 0;
}

const text = (page: Page) => page.locator('body').innerText();

describe.skipIf(!browserTests)('sign in with the provider, in Chromium', () => {
  it('the owner signs in once: a private port, an org port and the dashboard, no login link', async () => {
    const { page } = await person();
    expect(await visit(page, privateUrl, 'alice@example.com')).toBe(200);
    expect(await text(page)).toContain('the private app');
    expect(page.url()).not.toContain('porthole_login');
    // Already signed in: the org port and the dashboard open without the provider's page.
    expect((await page.goto(orgUrl))?.status()).toBe(200);
    expect(await text(page)).toContain('the team app');
    const dashboard = await page.goto(`${h.gateway.url}/s/${session}`);
    expect(dashboard?.status()).toBe(200);
    await page.locator(`tr[data-port-row="${new URL(orgUrl).hostname.split('-')[0]}"]`).waitFor();
    expect(await page.locator('#identity').innerText()).toContain('Signed in as alice@example.com');
  });

  it('a member opens the org port and is refused on the private one, by name', async () => {
    const { page } = await person();
    expect(await visit(page, orgUrl, 'bob@example.com')).toBe(200);
    expect(await text(page)).toContain('the team app');
    expect((await page.goto(privateUrl))?.status()).toBe(403);
    const refused = await text(page);
    expect(refused).toContain('bob@example.com');
    expect(refused).not.toContain('the private app');
    expect(refused).not.toContain('alice@example.com');
  });

  it('someone outside the policy is refused on both, by name', async () => {
    const { page } = await person();
    expect(await visit(page, orgUrl, 'eve@other.test')).toBe(403);
    expect(await text(page)).toContain('eve@other.test');
    expect(await text(page)).not.toContain('the team app');
    expect((await page.goto(privateUrl))?.status()).toBe(403);
    expect(await text(page)).not.toContain('the private app');
  });

  it('signing out ends the sign-in and the port cookie it gave', async () => {
    const { context, page } = await person();
    expect(await visit(page, orgUrl, 'bob@example.com')).toBe(200);
    expect((await context.cookies(h.gateway.url)).some((c) => c.name === 'porthole_identity')).toBe(true);
    await page.goto(`${h.gateway.url}/auth/logout`);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], form button')]);
    // The identity cookie is gone from the browser; the port cookie it still holds is refused.
    const control = await context.cookies(h.gateway.url);
    expect(control.find((c) => c.name === 'porthole_identity')).toBeUndefined();
    const kept = (await context.cookies(orgUrl)).find((c) => c.name === 'porthole');
    expect(kept).toBeDefined();
    const port = await request(h.gateway, orgUrl, {
      headers: { cookie: `porthole=${kept!.value}`, accept: 'application/json' },
    });
    expect(port.status).toBe(401);
    expect(port.headers['x-porthole-error']).toBe('signed_out');
  });
});
