/**
 * A session its operator marked asleep (issue 19 item 1), in Chromium: a tab on one of its ports
 * says the session is waking up and reloads by itself into the app once the operator marks it
 * awake; a tab still waiting when the session ends shows that it has ended, and stops waiting.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { afterTest, type Harness, request, startAgent, startOrigin } from '../e2e/harness';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

/** The operator's word on `session` (admin token): `PATCH` a state, or `DELETE`. */
async function operator(session: string, method: 'PATCH' | 'DELETE', state?: 'asleep' | 'awake'): Promise<number> {
  const reply = await request(h.gateway, `/api/sessions/${session}`, {
    method,
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    ...(state ? { body: JSON.stringify({ state }) } : {}),
  });
  return reply.status;
}

async function appSession() {
  const origin = await startOrigin((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>app</title><h1>the app is awake</h1>');
  });
  const a = await startAgent(h, [origin.port]);
  return { session: a.session, url: await a.agent.url(origin.port) };
}

async function newTab() {
  const context = await browser.newContext();
  afterTest(() => context.close());
  return context.newPage();
}

describe.skipIf(!browserTests)('an asleep session', () => {
  it('its page says it is waking up, and reloads into the app once the session is awake', async () => {
    const { session, url } = await appSession();
    expect(await operator(session, 'PATCH', 'asleep')).toBe(200);
    const page = await newTab();
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(503);
    await page.getByText('The session is waking up').waitFor({ timeout: 5_000 });
    await page.getByText('Waiting for the session to wake up… this page reloads by itself.').waitFor();
    expect(await operator(session, 'PATCH', 'awake')).toBe(200);
    await page.getByRole('heading', { name: 'the app is awake' }).waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(url);
  });

  it('a page waiting for it when the session ends shows that it has ended, and waits no more', async () => {
    const { session, url } = await appSession();
    expect(await operator(session, 'PATCH', 'asleep')).toBe(200);
    const page = await newTab();
    await page.goto(url);
    await page.getByText('The session is waking up').waitFor({ timeout: 5_000 });
    expect(await operator(session, 'DELETE')).toBe(200);
    await page.getByText('This session has ended.').waitFor({ timeout: 30_000 });
    expect(await page.locator('#porthole-wait').count()).toBe(0);
  });
});
