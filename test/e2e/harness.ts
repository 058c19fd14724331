/**
 * Real parts on loopback for end-to-end tests: the gateway bundle in workerd
 * (Miniflare), the real client agent, real Node origin servers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type AgentOptions } from '../../client/agent';
import { LOCAL_DOMAIN, type LocalGateway, startGateway } from '../../client/dev/gateway';

/** The bare domain of test gateways; port hosts are `<label>.${DOMAIN}`. */
export const DOMAIN = LOCAL_DOMAIN;
import type { AgentEvent } from '../../client/events';
import { gatewayBundle } from '../../scripts/build.mjs';

export interface Harness {
  gateway: LocalGateway;
  adminToken: string;
  labelKey: string;
  tokenSecret: string;
  stop(): Promise<void>;
}

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
  return { gateway, adminToken, labelKey, tokenSecret: all.TOKEN_SECRET, stop: () => gateway.stop() };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A request to the gateway with an explicit Host (Node's fetch would drop it). */
export function request(
  gateway: LocalGateway,
  target: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
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
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
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

/** A real HTTP origin on 127.0.0.1:0. */
export async function startOrigin(
  handler: http.RequestListener,
  host = '127.0.0.1',
): Promise<{ port: number; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  server.listen(0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const origin = await startOrigin(() => {});
  await origin.close();
  return origin.port;
}
