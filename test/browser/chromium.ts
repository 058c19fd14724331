/** Debian's Chromium, driven by playwright-core (no browser is ever downloaded). */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness';

const CHROMIUM = '/usr/bin/chromium';
/** CI installs Chromium and sets this, so there the browser tests must run, not skip. */
const required = process.env.PORTHOLE_REQUIRE_BROWSER === '1';
const present = existsSync(CHROMIUM);

/** Whether browser tests run here; when not, say why once. */
export const browserTests = present || required;
if (!browserTests) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * For a test file: a gateway harness (test/e2e/harness.ts) and a Chromium, started before its tests
 * when browser tests run here and stopped after them; `use` receives both once started.
 */
export function withHarnessAndChromium(use: (h: Harness, browser: Browser) => void): void {
  let h: Harness | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!browserTests) return;
    h = await startHarness();
    browser = await launchChromium();
    use(h, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });
}

/** A fresh browser profile (no cookies) of `browser` opening `url`: the status and the page's text. */
export async function stranger(browser: Browser, url: string): Promise<{ status: number; text: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(url);
    return { status: response?.status() ?? 0, text: (await page.textContent('body')) ?? '' };
  } finally {
    await context.close();
  }
}
