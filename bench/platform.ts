/**
 * `node dist/bench.js platform` — what a platform's backend waits for (issue 19), through the
 * operator SDK against a local gateway of its own: creating, reading and ending a session beside a
 * Worker-only answer (`GET /healthz`) of the same gateway; from listen() in the VM to the port's URL
 * on the event feed, beside the client's own announcement of the port (its `--json` line); and from
 * `DELETE /api/sessions/<id>` to the client's exit with code 3.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { startGateway } from '../client/dev/gateway';
import { PortholeAdmin } from '../client/sdk';
import { fmt, percentile, write } from './common';

const CALL_TRIALS = 20;
const EVENT_TRIALS = 15;
const END_TRIALS = 5;
/** Ports the event-latency client watches (--only). */
const RANGE: [number, number] = [20300, 20399];
const now = () => performance.timeOrigin + performance.now();

/** Kept alive, as the SDK's own connections are (Node's global fetch). */
const keepAlive = new http.Agent({ keepAlive: true });

function healthz(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/healthz', headers: { host }, agent: keepAlive }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

async function timed(trials: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const start = now();
    await run();
    times.push(now() - start);
  }
  return times;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A client for `token` in a child process; `lines` gets each of its --json event lines with the time it came. */
function startClient(
  cli: string,
  gateway: string,
  token: string,
  onLine: (event: Record<string, unknown>, at: number) => void,
) {
  const child = spawn(
    process.execPath,
    [
      cli,
      'connect',
      '--gateway',
      gateway,
      '--only',
      `${RANGE[0]}-${RANGE[1]}`,
      '--default-visibility',
      'public',
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PORTHOLE_TOKEN: token } },
  );
  createInterface({ input: child.stdout }).on('line', (line) =>
    onLine(JSON.parse(line) as Record<string, unknown>, now()),
  );
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: now() })),
  );
  return { child, exited };
}

const SERVER = `require('http').createServer((q, r) => r.end('ok')).listen(Number(process.argv[1]), '127.0.0.1', () =>
  process.stdout.write(String(performance.timeOrigin + performance.now()) + '\\n'));`;

function listenIn(port: number): Promise<{ child: ChildProcess; at: number }> {
  const child = spawn(process.execPath, ['-e', SERVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve({ child, at: Number(d.toString()) })),
  );
}

function waitUntil<T>(get: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = () => {
      const value = get();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

const line = (name: string, values: number[], base?: number[]) => {
  const p50 = percentile(values, 50);
  const ratio = base ? ` (${fmt(p50 / percentile(base, 50), 1)}× the baseline)` : '';
  write(
    `  ${name.padEnd(52)} p50 ${fmt(p50, 1).padStart(7)} ms  p95 ${fmt(percentile(values, 95), 1).padStart(7)} ms${ratio}\n`,
  );
};

export async function platformSection(script: string, cli: string): Promise<void> {
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const gateway = await startGateway({ script, secrets });
  const admin = new PortholeAdmin({ gateway: gateway.url, adminToken: secrets.ADMIN_TOKEN });
  const host = new URL(gateway.url).host;
  try {
    write(`\nPlatform (issue 19): the operator SDK against its own local gateway, ${CALL_TRIALS} calls each:\n`);
    const base = await timed(CALL_TRIALS, () => healthz(gateway.port, host));
    line('baseline: GET /healthz (the Worker alone)', base);
    const ids: string[] = [];
    line(
      'createSession (Worker → Durable Object)',
      await timed(CALL_TRIALS, async () => ids.push((await admin.createSession()).session)),
      base,
    );
    let i = 0;
    line('getSession', await timed(CALL_TRIALS, () => admin.getSession(ids[i++ % ids.length] as string)), base);
    i = 0;
    line(
      'endSession (no client connected)',
      await timed(CALL_TRIALS, () => admin.endSession(ids[i++] as string)),
      base,
    );

    // listen() → the client announces the port → the feed's port.opened.
    const { session, token } = await admin.createSession();
    const announced = new Map<number, number>();
    const client = startClient(cli, gateway.url, token, (event, at) => {
      if (event.event === 'port.open' && typeof event.port === 'number') announced.set(event.port, at);
    });
    const opened = new Map<number, number>();
    const feed = new AbortController();
    const reading = (async () => {
      for await (const event of admin.session(session).events({ signal: feed.signal })) {
        if (event.type === 'port.opened') opened.set(event.data.port, now());
      }
    })().catch(() => undefined);
    const toClient: number[] = [];
    const toFeed: number[] = [];
    let port = RANGE[0];
    for (let trial = 0; trial < EVENT_TRIALS; trial++) {
      while (!(await portFree(port))) port++;
      if (port > RANGE[1]) throw new Error('no free port left in the benchmark range');
      const server = await listenIn(port);
      const p = port;
      toFeed.push((await waitUntil(() => opened.get(p), `port.opened for ${p}`)) - server.at);
      toClient.push((await waitUntil(() => announced.get(p), `the client's port.open for ${p}`)) - server.at);
      server.child.kill('SIGKILL');
      port++;
    }
    write(`\nFrom listen() in the VM to the port on the event feed, ${EVENT_TRIALS} ports:\n`);
    line("baseline: the client's own announcement (--json port.open)", toClient);
    line("port.opened on the operator's event feed", toFeed, toClient);
    feed.abort();
    await reading;
    client.child.kill();

    write(`\nEnding a session with its client connected, ${END_TRIALS} sessions:\n`);
    const answered: number[] = [];
    const exitedAfter: number[] = [];
    const codes = new Set<number | null>();
    for (let trial = 0; trial < END_TRIALS; trial++) {
      const created = await admin.createSession();
      let up = false;
      const c = startClient(cli, gateway.url, created.token, (event) => {
        if (event.event === 'tunnel.up') up = true;
      });
      await waitUntil(() => (up ? true : undefined), 'tunnel.up');
      const start = now();
      await admin.endSession(created.session);
      answered.push(now() - start);
      const exit = await c.exited;
      exitedAfter.push(exit.at - start);
      codes.add(exit.code);
    }
    line('DELETE /api/sessions/<id> answered', answered);
    line(`the client exited (exit codes: ${[...codes].join(', ')})`, exitedAfter, answered);
  } finally {
    keepAlive.destroy();
    await gateway.stop();
  }
}
