/**
 * OIDC sign-in in Chromium against the real test provider (test/e2e/oidc/provider.ts): /auth/login,
 * the provider's login page, back to /auth signed in, then the sign-out button. The browser keeps
 * the provider's and the gateway's cookies by its own rules (SameSite, Path, HttpOnly), which the
 * browserless flow only imitates.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness';
import { startProvider, type TestProvider } from '../e2e/oidc/provider';
import { browserTests, launchChromium } from './chromium';

let provider: TestProvider;
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!browserTests) return;
  provider = await startProvider();
  h = await startHarness({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId }, {
    OIDC_CLIENT_SECRET: provider.clientSecret,
  } as Record<string, string>);
  provider.register(`${h.gateway.url}/auth/callback`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
  await provider?.stop();
});

describe.runIf(browserTests)('OIDC sign-in in Chromium', () => {
  it('signs alice in through the provider’s page, back where she asked, then signs her out', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${h.gateway.url}/auth/login?return=${encodeURIComponent('/auth?from=test')}`);
      await page.waitForURL((url) => url.origin === provider.issuer, { timeout: 10_000 });
      await page.fill('input[name="login"]', 'alice@example.com');
      await Promise.all([
        page.waitForURL((url) => url.href === `${h.gateway.url}/auth?from=test`, { timeout: 10_000 }),
        page.click('button[type="submit"]'),
      ]);
      expect(await page.textContent('body')).toContain('alice@example.com');
      const cookies = await context.cookies(h.gateway.url);
      const identity = cookies.find((c) => c.name === 'porthole_identity');
      expect(identity?.httpOnly).toBe(true);
      expect(identity?.sameSite).toBe('Lax');
      expect(cookies.some((c) => c.name === 'porthole_oidc')).toBe(false);

      await page.goto(`${h.gateway.url}/auth/logout`);
      await Promise.all([
        page.waitForURL(`${h.gateway.url}/auth`, { timeout: 10_000 }),
        page.click('button[type="submit"]'),
      ]);
      expect(await page.textContent('body')).toContain('Not signed in');
      expect((await context.cookies(h.gateway.url)).some((c) => c.name === 'porthole_identity')).toBe(false);
    } finally {
      await context.close();
    }
  });
});
