/**
 * Tenant isolation in a real browser (Debian's Chromium, playwright-core):
 * two sessions on one gateway. The victim owner is logged in to session A's
 * private ports; in the same browser profile, session B's PUBLIC preview (an
 * attacker's page) tosses, bombs and clears cookies for every parent domain
 * of its host (from script and from Set-Cookie), then POSTs (fetch with
 * credentials, a form), frames and opens a WebSocket to A's private port.
 * A's origin counts every request and upgrade: it must see none of B's, and
 * the owner must stay logged in (A still opens, a fresh login link works,
 * A's front end still calls A's API).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type Harness, type RunningAgent, startAgent, startHarness, startOrigin } from '../e2e/harness';
import { browserTests, launchChromium } from './chromium';

let h: Harness;
let browser: Browser;
let owner: BrowserContext;
let victim: Awaited<ReturnType<typeof countingOrigin>>;
let front: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let b: RunningAgent;
let victimUrl = '';
let frontUrl = '';
let attackerUrl = '';

/** A's private app: counts every request and WebSocket upgrade, answers CORS for credentialed calls, echoes WebSocket messages. */
async function countingOrigin() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} origin=${req.headers.origin ?? '-'} referer=${req.headers.referer ?? '-'}`);
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
      vary: 'Origin',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': 'text/html' }).end('<h1>victim secret</h1>');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push(`UPGRADE ${req.url} origin=${req.headers.origin ?? '-'}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send('victim secret over ws');
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { port: (server.address() as AddressInfo).port, seen, close };
}

/** Every parent domain of `host` (and the host itself), as a script or header would name them. */
function parents(host: string): string[] {
  const labels = host.split('.');
  return labels.map((_, i) => labels.slice(i).join('.')).flatMap((d) => [d, `.${d}`]);
}

const BIG = 'x'.repeat(4000);
/** Cookie names Porthole reserves, in the case and prefix forms an attacker would try. */
const RESERVED = ['porthole', 'PORTHOLE', 'Porthole', 'porthole_dashboard', '__Host-porthole', '__Secure-porthole'];

/** B's public app: the attacker. `/` is the page; `/toss?n=` answers with cookie headers; `/clear` with Clear-Site-Data. */
function attackerApp(): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://b');
    const host = String(req.headers['x-forwarded-host'] ?? req.headers.host).replace(/:\d+$/, '');
    if (url.pathname === '/toss') {
      const n = Number(url.searchParams.get('n'));
      const cookies = parents(host).flatMap((d) => RESERVED.map((name) => `${name}=tossed; Domain=${d}; Path=/`));
      // Three 4 KB cookies an answer: the whole head stays under Node's 16 KiB response limit.
      for (let i = 0; i < 3; i++) {
        for (const d of parents(host).filter((p) => !p.startsWith('.'))) {
          cookies.push(`hbomb${n * 3 + i}=${BIG}; Domain=${d}; Path=/`);
        }
      }
      res.writeHead(200, { 'set-cookie': n === 0 ? cookies : cookies.slice(-6), 'content-type': 'text/plain' });
      res.end('tossed');
      return;
    }
    if (url.pathname === '/clear') {
      res.writeHead(200, { 'clear-site-data': '"cookies", "storage"', 'content-type': 'text/plain' }).end('cleared');
      return;
    }
    if (url.pathname === '/done') {
      res.end('ok');
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>attacker</title><pre id="log"></pre>
<iframe name="sink" id="sink"></iframe><iframe id="framed"></iframe>
<form id="form" method="POST" target="sink" action="${victimUrl}form"><input name="a" value="b"></form>
<script>
const victim = ${JSON.stringify(victimUrl)};
const results = {};
const log = (k, v) => { results[k] = v; document.getElementById('log').textContent = JSON.stringify(results); };
async function reach(phase) {
  // (a) POSTs with the owner's cookie riding along: fetch (cors and no-cors) and a form; a credentialed GET.
  await fetch(victim + 'cors', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' })
    .then((r) => r.text().then((t) => log(phase + 'cors', r.status + ' ' + t)), (e) => log(phase + 'cors', 'failed ' + e));
  await fetch(victim + 'nocors', { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'x' })
    .then((r) => log(phase + 'nocors', r.type), (e) => log(phase + 'nocors', 'failed ' + e));
  await fetch(victim + 'get', { credentials: 'include' })
    .then((r) => r.text().then((t) => log(phase + 'get', r.status + ' ' + t)), (e) => log(phase + 'get', 'failed ' + e));
  const sink = document.getElementById('sink');
  await new Promise((resolve) => { sink.onload = resolve; document.getElementById('form').submit(); setTimeout(resolve, 3000); });
  // (b) a frame.
  const framed = document.getElementById('framed');
  await new Promise((resolve) => { framed.onload = resolve; framed.src = victim + 'frame?' + phase; setTimeout(resolve, 3000); });
  try { log(phase + 'frame', framed.contentDocument ? framed.contentDocument.body.textContent : 'opaque'); } catch (e) { log(phase + 'frame', 'opaque'); }
  // (c) a WebSocket: send and read.
  await new Promise((resolve) => {
    const ws = new WebSocket(victim.replace(/^http/, 'ws') + 'ws');
    const got = [];
    const end = (how) => { log(phase + 'ws', how + ' ' + JSON.stringify(got)); resolve(); };
    ws.onopen = () => ws.send('from attacker');
    ws.onmessage = (m) => got.push(m.data);
    ws.onclose = (e) => end('closed ' + e.code);
    setTimeout(() => { ws.close(); end('timeout'); }, 3000);
  });
}
async function toss() {
  // Cookies from script, for every parent domain: reserved names, then 40 × 4 KB.
  const domains = [];
  const labels = location.hostname.split('.');
  for (let i = 0; i < labels.length; i++) { const d = labels.slice(i).join('.'); domains.push(d, '.' + d); }
  for (const d of domains) for (const name of ${JSON.stringify(RESERVED)}) document.cookie = name + '=tossed; domain=' + d + '; path=/';
  for (let i = 0; i < 40; i++) for (const d of domains) document.cookie = 'sbomb' + i + '=' + ${JSON.stringify(BIG)} + '; domain=' + d + '; path=/';
  // Cookies from Set-Cookie, and Clear-Site-Data.
  for (let n = 0; n < 14; n++) await fetch('/toss?n=' + n).catch(() => {});
  await fetch('/clear').catch(() => {});
}
async function attack() {
  // First with the owner's cookie as the login left it, then after the cookie attacks.
  await reach('clean.');
  await toss();
  await reach('tossed.');
  log('done', true);
}
attack();
</script>`);
  };
}

beforeAll(async () => {
  if (!browserTests) return;
  h = await startHarness();
  browser = await launchChromium();
  victim = await countingOrigin();
  // A's front end (private), calling A's private victim port as its API.
  front = await startOrigin((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>front</title><pre id="api">pending</pre>
<script>
fetch(${JSON.stringify(`${victimUrl}api`)}, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' })
  .then((r) => r.text().then((t) => { document.getElementById('api').textContent = r.status + ' ' + t; }),
        (e) => { document.getElementById('api').textContent = 'failed ' + e; });
</script>`);
  });
  const attacker = await startOrigin(attackerApp());
  a = await startAgent(h, [victim.port, front.port], { visibility: () => 'private' });
  b = await startAgent(h, [attacker.port], { visibility: () => 'public' });
  victimUrl = await a.agent.url(victim.port);
  frontUrl = await a.agent.url(front.port);
  attackerUrl = await b.agent.url(attacker.port);
  owner = await browser.newContext();
  // The owner logs in to A (one login link; it covers the session's private ports).
  const page = await owner.newPage();
  for (const port of [front.port, victim.port]) {
    const landed = await page.goto((await a.agent.api.loginLink(port)).url);
    expect(landed?.status()).toBe(200);
  }
  await page.close();
});

afterAll(async () => {
  await owner?.close();
  a?.agent.stop();
  b?.agent.stop();
  await victim?.close();
  await browser?.close();
  await h?.stop();
});

/** A's front end, opened by the owner: its credentialed POST to A's API port (with preflight) succeeds. */
async function frontEndCallsApi(): Promise<string> {
  const page = await owner.newPage();
  try {
    const opened = await page.goto(frontUrl);
    expect(opened?.status()).toBe(200);
    await page.locator('#api', { hasNotText: 'pending' }).waitFor({ timeout: 20_000 });
    return (await page.textContent('#api')) ?? '';
  } finally {
    await page.close();
  }
}

describe.skipIf(!browserTests)("another session's public page against the owner of a private port", () => {
  it('before the attack: same-session front end → private API works', async () => {
    expect(await frontEndCallsApi()).toBe('200 <h1>victim secret</h1>');
  });

  it('a private answer may be framed only by its own session (frame-ancestors)', async () => {
    const page = await owner.newPage();
    const opened = await page.goto(victimUrl);
    expect(opened?.headers()['content-security-policy']).toContain("frame-ancestors 'self'");
    await page.close();
  });

  it("B's page POSTs, frames and opens a WebSocket to A: A's origin sees none of it, B reads nothing", async () => {
    const before = victim.seen.length;
    const page = await owner.newPage();
    const opened = await page.goto(attackerUrl);
    expect(opened?.status()).toBe(200);
    await page.locator('#log', { hasText: '"done"' }).waitFor({ timeout: 30_000 });
    const results = JSON.parse((await page.textContent('#log')) ?? '{}') as Record<string, string>;
    await page.close();
    // A request whose Referer is A's own page came from A's page (the owner's earlier visit fetches its
    // favicon lazily), not from B's: only the others count. The client names A's own page to the
    // origin as http://localhost:<port> (Host is rewritten, and so is a same-origin Referer).
    const fromA = [`referer=${new URL(victimUrl).origin}/`, `referer=http://localhost:${victim.port}/`];
    const fromB = victim.seen.slice(before).filter((line) => !fromA.some((own) => line.endsWith(own)));
    expect(fromB, "requests from B's page at A's origin").toEqual([]);
    for (const phase of ['clean', 'tossed']) {
      for (const what of ['cors', 'nocors', 'get', 'frame', 'ws']) {
        expect(results[`${phase}.${what}`], `${phase}.${what}`).toBeDefined();
        expect(results[`${phase}.${what}`], `${phase}.${what}`).not.toContain('victim secret');
      }
    }
  });

  it('after the attack: the owner still opens A’s private port', async () => {
    const page = await owner.newPage();
    const opened = await page.goto(victimUrl);
    expect(opened?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('victim secret');
    await page.close();
  });

  it('after the attack: same-session front end → private API still works', async () => {
    expect(await frontEndCallsApi()).toBe('200 <h1>victim secret</h1>');
  });

  it('after the attack: a fresh login link works and is not spent for nothing', async () => {
    const page = await owner.newPage();
    const landed = await page.goto((await a.agent.api.loginLink(victim.port)).url);
    expect(landed?.status()).toBe(200);
    expect(page.url()).toBe(victimUrl);
    expect(await page.textContent('h1')).toBe('victim secret');
    await page.close();
  });
});
