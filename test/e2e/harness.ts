/**
 * Real parts on loopback for end-to-end tests: the gateway bundle in workerd
 * (Miniflare), the real client agent, real Node origin servers; and the two
 * habits every test shares: wait for a condition with a bound, and clean up
 * what a test started when that test ends, passed or failed.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { TestRunner, onTestFinished } from 'vitest';
import { Agent, type AgentOptions } from '../../client/agent';
import { LOCAL_CONTROL_DOMAIN, LOCAL_PREVIEW_DOMAIN, type LocalGateway, startGateway } from '../../client/dev/gateway';
import type { AgentEvent } from '../../client/events';
import { gatewayBundle } from '../../scripts/build.mjs';

/** The control domain of test gateways (dashboard, owner API, `/connect`). */
export const DOMAIN = LOCAL_CONTROL_DOMAIN;
/** The preview domain of test gateways: port hosts are `<port>-<sig>.<session>.${PREVIEW_DOMAIN}` (sign.ts). */
export const PREVIEW_DOMAIN = LOCAL_PREVIEW_DOMAIN;

/**
 * Runs `cleanup` when the running test finishes, passed or failed (vitest's `onTestFinished`;
 * the last registered runs first), so a failed assertion cannot leak a reconnecting client or a
 * listening server into the tests after it. Called outside a test (in a `beforeAll`) it does
 * nothing: what a `beforeAll` starts, its `afterAll` stops.
 */
export function afterTest(cleanup: () => unknown): void {
  if (!TestRunner.getCurrentTest()) return;
  onTestFinished(async () => {
    await cleanup();
  });
}

type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * Evaluates `condition` (sync or async) until it returns a truthy value, and returns that value.
 * A throw counts as "not yet" (so an `expect` can be the condition). Evaluations are `intervalMs`
 * apart (default 10 ms) and each is cut short at the deadline.
 *
 * @param what what is awaited, for the error ("all four requests at the origin").
 * @param timeoutMs the bound in ms, default 10 000.
 * @throws Error naming `what`, the bound, and the last value or error the condition gave.
 */
export async function waitFor<T>(
  condition: () => T | PromiseLike<T>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<Truthy<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  const unfinished = Symbol('unfinished');
  let last = 'nothing (the first check did not finish)';
  for (;;) {
    const bound = new AbortController();
    try {
      const value = await Promise.race([
        Promise.resolve().then(condition),
        sleep(Math.max(0, deadline - Date.now()), unfinished, { signal: bound.signal }),
      ]);
      if (value === unfinished) break;
      if (value) return value as Truthy<Awaited<T>>;
      last = `value ${inspect(value)}`;
    } catch (error) {
      last = `error ${error instanceof Error ? error.message : inspect(error)}`;
    } finally {
      bound.abort();
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last}`);
}

export interface Harness {
  gateway: LocalGateway;
  adminToken: string;
  labelKey: string;
  tokenSecret: string;
  stop(): Promise<void>;
}

/** A gateway with fresh secrets; started inside a test, it stops when the test ends. */
export async function startHarness(
  vars: Record<string, string> = {},
  secrets: Record<string, string> = {},
  options: { https?: boolean } = {},
): Promise<Harness> {
  const adminToken = randomBytes(24).toString('base64url');
  const labelKey = randomBytes(32).toString('base64url');
  const all = {
    ADMIN_TOKEN: adminToken,
    LABEL_KEY: labelKey,
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    ...secrets,
  };
  const gateway = await startGateway({ script: gatewayBundle, secrets: all, vars, https: options.https });
  afterTest(() => gateway.stop());
  return { gateway, adminToken, labelKey, tokenSecret: all.TOKEN_SECRET, stop: () => gateway.stop() };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request to the gateway with an explicit Host (Node's fetch would drop it). */
export function request(
  gateway: LocalGateway,
  target: string,
  options: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
    /** The source address (another loopback address is another viewer to the gateway); default the system's. */
    localAddress?: string;
  } = {},
): Promise<Reply> {
  const url = new URL(target, gateway.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        method: options.method ?? 'GET',
        path: url.pathname + url.search,
        headers: { host: url.host, ...options.headers },
        agent: false,
        localAddress: options.localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function createSession(h: Harness): Promise<{ session: string; token: string; urlTemplate: string }> {
  const reply = await request(h.gateway, '/api/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}` },
  });
  if (reply.status !== 201) throw new Error(`session creation failed: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body.toString()) as { session: string; token: string; urlTemplate: string };
}

export interface RunningAgent {
  agent: Agent;
  events: AgentEvent[];
  session: string;
  token: string;
  /** Resolves with the first event matching the predicate (already seen or future). */
  event(match: (e: AgentEvent) => boolean, what: string, timeoutMs?: number): Promise<AgentEvent>;
}

/**
 * A client for a new session (or `options.token`'s), resolved once its tunnel is up; started
 * inside a test, it stops when the test ends.
 */
export async function startAgent(
  h: Harness,
  ports: number[],
  options: Partial<AgentOptions> & { token?: string; session?: string } = {},
): Promise<RunningAgent> {
  const created = options.token ? { token: options.token, session: options.session ?? '' } : await createSession(h);
  const events: AgentEvent[] = [];
  const listeners = new Set<() => void>();
  const agent = new Agent({
    gateway: h.gateway.url,
    token: created.token,
    ports,
    backoff: { baseMs: 50, capMs: 500 },
    // These tests are about traffic, not share controls (share.test.ts): ports are public unless asked.
    visibility: () => 'public',
    ...options,
    onEvent: (e) => {
      events.push(e);
      for (const l of listeners) l();
    },
  });
  afterTest(() => agent.stop());
  const event = (match: (e: AgentEvent) => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<AgentEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (!found) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`));
      }, timeoutMs);
      if (!check()) listeners.add(check);
    });
  await event((e) => e.event === 'tunnel.up', 'tunnel.up');
  return { agent, events, session: created.session, token: created.token, event };
}

/** A one-shot event a test can wait on. */
export function signal(): { promise: Promise<void>; fire(): void } {
  let fire: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

/**
 * A real HTTP origin on `host` (default 127.0.0.1), port 0; started inside a test, it closes when the test ends.
 * `options` go to http.createServer (e.g. a `maxHeaderSize` over Node's 16 KiB) and `maxHeadersCount`
 * (Node's default keeps the first 2000 header lines; 0 keeps all) to the server.
 */
export async function startOrigin(
  handler: http.RequestListener,
  host = '127.0.0.1',
  options: http.ServerOptions & { maxHeadersCount?: number } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const { maxHeadersCount, ...serverOptions } = options;
  const server = http.createServer(serverOptions, handler);
  if (maxHeadersCount !== undefined) server.maxHeadersCount = maxHeadersCount;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  afterTest(close);
  server.listen(0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return { port: (server.address() as AddressInfo).port, close };
}

/** A port that nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const origin = await startOrigin(() => {});
  await origin.close();
  return origin.port;
}
