/**
 * A real Vite dev server behind Porthole, opened in Chromium through its
 * private preview URL (the owner logged in): editing a source file updates the page through Vite's HMR
 * WebSocket, which rides the tunnel, without a reload.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, freePort, type Harness, startAgent, startHarness } from '../e2e/harness';
import { browserTests, launchChromium } from './chromium';

let h: Harness;
let browser: Browser;
let vite: ViteDevServer;
let root: string;

beforeAll(async () => {
  if (!browserTests) return;
  root = mkdtempSync(join(tmpdir(), 'porthole-vite-'));
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><title>vite app</title><h1 id="msg">loading</h1><script type="module" src="/main.js"></script>\n',
  );
  writeFileSync(join(root, 'message.js'), "export const message = 'version 1';\n");
  writeFileSync(
    join(root, 'main.js'),
    `import { message } from './message.js';
document.querySelector('#msg').textContent = message;
window.loadedOnce = (window.loadedOnce ?? 0) + 1;
if (import.meta.hot) {
  import.meta.hot.accept('./message.js', (next) => {
    document.querySelector('#msg').textContent = next.message;
  });
}
`,
  );
  const port = await freePort();
  vite = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port, strictPort: true },
  });
  await vite.listen();
  h = await startHarness();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await h?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!browserTests)('a Vite dev server through the tunnel, in Chromium', () => {
  it('serves the app and hot-updates it when a source file changes', async () => {
    const port = vite.config.server.port as number;
    // A private port, opened by its owner: the HMR WebSocket (Origin: the page's own host) passes the
    // cross-session check (access/cross-site.ts).
    const a = await startAgent(h, [port], { visibility: () => 'private' });
    const url = await a.agent.url(port);

    const context = await browser.newContext();
    afterTest(() => context.close());
    const page = await context.newPage();
    // Vite's client holds its HMR WebSocket on the preview host, through the gateway; the server's
    // first message says it is connected, and only then can an edit reach the page.
    let socketUrl = '';
    const connected = new Promise<void>((resolve) => {
      page.on('websocket', (ws) => {
        socketUrl = ws.url();
        ws.on('framereceived', (frame) => {
          if (String(frame.payload).includes('"connected"')) resolve();
        });
      });
    });
    const response = await page.goto((await a.agent.api.loginLink(port)).url);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(url);
    await page.locator('#msg', { hasText: 'version 1' }).waitFor({ timeout: 20_000 });
    await connected;
    expect(new URL(socketUrl).host).toBe(new URL(url).host);

    writeFileSync(join(root, 'message.js'), "export const message = 'version 2';\n");
    await page.locator('#msg', { hasText: 'version 2' }).waitFor({ timeout: 30_000 });
    // Updated in place: the module graph was patched, the page was not reloaded.
    expect(await page.evaluate('window.loadedOnce')).toBe(1);
  });
});
