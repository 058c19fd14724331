/**
 * Pages that heal, in Chromium (issue 16 item 3): a tab on a port whose server stopped, or on a
 * session whose client is gone, shows the waiting page, re-checks by itself (HEAD, one at a time,
 * backing off from the answer's Retry-After) and shows the app once it answers, without the test
 * reloading anything. Re-checks of one tab are counted over a window.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { afterTest, type Harness, request, startAgent, startOrigin, waitFor } from '../e2e/harness';
import { freePorts, nodeServer } from '../e2e/servers';
import { signLabelForTest } from '../e2e/sign';
import { aud, mintForTest } from '../e2e/tokens';
import { browserTests, withHarnessAndChromium } from './chromium';

let h: Harness;
let browser: Browser;

withHarnessAndChromium((harness, chromium) => {
  h = harness;
  browser = chromium;
});

/** A new tab, and the re-checks it sends: when each started, and the most in flight at once. */
async function watchedTab(
  extraHTTPHeaders: Record<string, string> = {},
): Promise<{ page: Page; checks: number[]; maxInFlight: () => number }> {
  const context = await browser.newContext({ extraHTTPHeaders });
  afterTest(() => context.close());
  const page = await context.newPage();
  const checks: number[] = [];
  let inFlight = 0;
  let most = 0;
  page.on('request', (r) => {
    if (r.method() !== 'HEAD') return;
    checks.push(Date.now());
    most = Math.max(most, ++inFlight);
  });
  const done = (r: { method(): string }) => {
    if (r.method() === 'HEAD') inFlight--;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return { page, checks, maxInFlight: () => most };
}

const errorOf = async (url: string) => JSON.parse((await request(h.gateway, url)).body.toString()).error as string;

describe.skipIf(!browserTests)('waiting pages come back by themselves', () => {
  it('a tab on a stopped server waits, re-checks a bounded number of times, and shows the app once it is back', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [], {
      watch: { filter: new PortFilter({ only: [String(port)] }), intervalMs: 50 },
    });
    const announced = (n: number) => a.events.filter((e) => e.event === 'port.open' && e.port === port).length >= n;
    const first = await nodeServer(port, '127.0.0.1', 'the app, first run');
    await a.event(() => announced(1), 'port.open');
    const url = await a.agent.url(port);
    await first.stop();
    await waitFor(async () => (await errorOf(url)) === 'port_not_listening', 'the port closed');

    const { page, checks, maxInFlight } = await watchedTab();
    const opened = Date.now();
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(503);
    await page.getByText(`Waiting for port ${port}… this page reloads by itself.`).waitFor({ timeout: 5_000 });
    // Retry-After 2, then ×1.5: the third re-check comes no sooner than 2 + 3 + 4.5 s after the page.
    await waitFor(() => checks.length >= 3, 'three re-checks', 20_000, 50);
    expect((checks[2] as number) - opened).toBeGreaterThanOrEqual(9_000);
    expect(maxInFlight()).toBe(1);

    await nodeServer(port, '127.0.0.1', 'the app, second run');
    await page.getByText('the app, second run').waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(url);
    expect(maxInFlight()).toBe(1);
  });

  it('a tab on a --port whose server is down (502 origin_unreachable) shows the app once it starts', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [port]);
    const url = await a.agent.url(port);
    const { page, maxInFlight } = await watchedTab();
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(502);
    await page.getByText(`Waiting for port ${port}… this page reloads by itself.`).waitFor({ timeout: 5_000 });
    await nodeServer(port, '127.0.0.1', 'the app on a static port');
    await page.getByText('the app on a static port').waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(url);
    expect(maxInFlight()).toBe(1);
  });

  it('a tab on a session whose client is gone shows the app again once the client reconnects', async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>app</title><h1>the app is back</h1>');
    });
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    await a.agent.stop();
    await waitFor(async () => (await errorOf(url)) === 'session_offline', 'the session offline');

    const { page, maxInFlight } = await watchedTab();
    const answer = await page.goto(url);
    expect(answer?.status()).toBe(503);
    await page.getByText('Waiting for the session… this page reloads by itself.').waitFor({ timeout: 5_000 });
    await startAgent(h, [origin.port], { token: a.token, session: a.session });
    await page.getByRole('heading', { name: 'the app is back' }).waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(url);
    expect(maxInFlight()).toBe(1);
  });

  it('pauses while the tab is hidden, and gives up after 10 minutes of waiting with a Reload button (fake clock)', async () => {
    const { session } = await startAgent(h, []);
    const url = `http://${signLabelForTest(h, session, 9)}:${h.gateway.port}/`;
    // The owner, so the never-announced (private) port answers its waiting page, not the refusal.
    const owner = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: session });
    const { page, checks, maxInFlight } = await watchedTab({ 'x-porthole-token': owner });
    await page.clock.install();
    await page.goto(url);
    await page.getByText('Waiting for port 9… this page reloads by itself.').waitFor({ timeout: 5_000 });
    const advance = (ms: number) => page.clock.runFor(ms);

    await waitFor(async () => (await advance(1_000), checks.length >= 1), 'the first re-check', 20_000, 0);
    const hidden = (value: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${String(value)} });
        document.dispatchEvent(new Event('visibilitychange'));`,
      );
    await hidden(true);
    const before = checks.length;
    for (let i = 0; i < 10; i++) await advance(60_000);
    expect(checks.length).toBe(before);
    await hidden(false);
    await waitFor(async () => (await advance(1_000), checks.length > before), 'a re-check once visible', 20_000, 0);

    const reload = page.getByRole('button', { name: 'Reload' });
    await waitFor(async () => (await advance(2_000), reload.isVisible()), 'the give-up line', 60_000, 0);
    await page.getByText('Stopped waiting after 10 minutes.').waitFor({ timeout: 5_000 });
    // ×1.5 from 2 s up to 30 s: about 25 re-checks in 10 minutes, one at a time.
    expect(checks.length).toBeGreaterThanOrEqual(15);
    expect(checks.length).toBeLessThanOrEqual(30);
    expect(maxInFlight()).toBe(1);
    const after = checks.length;
    await advance(120_000);
    expect(checks.length).toBe(after);
    await Promise.all([page.waitForEvent('load'), reload.click()]);
    await page.getByText('Waiting for port 9…').waitFor({ timeout: 5_000 });
  });

  it('a form sent to a stopped server is never sent again: its waiting page has no script', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [], {
      watch: { filter: new PortFilter({ only: [String(port)] }), intervalMs: 50 },
    });
    const server = await nodeServer(port, '127.0.0.1');
    await a.event((e) => e.event === 'port.open' && e.port === port, 'port.open');
    const url = await a.agent.url(port);
    await server.stop();
    await waitFor(async () => (await errorOf(url)) === 'port_not_listening', 'the port closed');
    const { page } = await watchedTab();
    await page.setContent(`<form method="post" action="${url}"><button>send</button></form>`);
    await Promise.all([page.waitForURL(url), page.click('button')]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.textContent('body')).toContain(`Port ${port} is not exposed by this session right now`);
  });
});
