/** Debian's Chromium, driven by playwright-core (no browser is ever downloaded). */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

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
