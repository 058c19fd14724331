/**
 * A WebSocket chat app (one Node server: the page and its socket on one port)
 * used by two Chromium tabs through the preview URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { afterTest, type Harness, startAgent, startHarness } from '../e2e/harness';
import { browserTests, launchChromium } from './chromium';

const PAGE = `<!doctype html><title>chat</title>
<ul id="log"></ul><input id="text"><button id="send">send</button>
<script>
const socket = new WebSocket(location.origin.replace('http', 'ws') + '/chat', 'chat.v1');
const log = document.getElementById('log');
socket.onopen = () => document.title = 'chat: connected as ' + socket.protocol;
socket.onmessage = (e) => { const li = document.createElement('li'); li.textContent = e.data; log.append(li); };
document.getElementById('send').onclick = () => socket.send(document.getElementById('text').value);
</script>`;

let h: Harness;
let browser: Browser;
let server: http.Server;
let wss: WebSocketServer;

beforeAll(async () => {
  if (!browserTests) return;
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  wss = new WebSocketServer({ server, path: '/chat', handleProtocols: (p) => (p.has('chat.v1') ? 'chat.v1' : false) });
  wss.on('connection', (socket) =>
    socket.on('message', (data) => {
      for (const client of wss.clients) client.send(data.toString());
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h = await startHarness();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  server?.close();
  await h?.stop();
});

describe.skipIf(!browserTests)('a WebSocket chat through the tunnel, in Chromium', () => {
  it('two tabs see each other’s messages', async () => {
    const port = (server.address() as AddressInfo).port;
    const a = await startAgent(h, [port], { visibility: () => 'public' });
    const url = await a.agent.url(port);
    const context = await browser.newContext();
    afterTest(() => context.close());
    const [alice, bob] = [await context.newPage(), await context.newPage()];
    for (const page of [alice, bob]) {
      await page.goto(url);
      await page.waitForFunction("document.title === 'chat: connected as chat.v1'", undefined, { timeout: 20_000 });
    }
    await alice.fill('#text', 'hello from alice');
    await alice.click('#send');
    await bob.locator('#log li', { hasText: 'hello from alice' }).waitFor({ timeout: 20_000 });
    await bob.fill('#text', 'hi alice');
    await bob.click('#send');
    await alice.locator('#log li', { hasText: 'hi alice' }).waitFor({ timeout: 20_000 });
    expect(await alice.locator('#log li').allTextContents()).toEqual(['hello from alice', 'hi alice']);
  });
});
