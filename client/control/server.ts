/**
 * The control API of a running client, over its unix socket:
 *   GET    /v1/status       → { session, gateway, tunnel, ports }
 *   GET    /v1/ports        → [ { port, url, process, visibility, firstSeen, label, source, listening } ]
 *   GET    /v1/ports/<port> → { port, exposed: true, source } or { port, exposed: false, reason, canExpose }
 *   POST   /v1/ports        {port, label?, visibility?} → 201 the port (url once announced, `pending` before)
 *   DELETE /v1/ports/<port> → { port, exposed: false }; 404 `port_not_exposed` when it was not
 *   GET    /v1/events       → NDJSON: a `snapshot` event (the status), then every event as it happens
 *   GET    /v1/requests[?…] → the request log (requests/query.ts: filters, `follow=1` NDJSON)
 *   GET    /v1/requests/<id> → one request in full
 *   POST   /v1/requests/<id>/replay {port?} → 201 the replay, in full, once it ended (requests/replay.ts)
 * and the gateway's owner API, relayed with the client's credentials:
 *   PATCH  /v1/ports/<port> {visibility}        → the port
 *   POST   /v1/login        {port, ttl?}        → { url, port, expiresAt }
 *   POST   /v1/token        {ttl?}              → { token, session, expiresAt }
 *   POST   /v1/dashboard    {ttl?}              → { url, expiresAt }
 *   POST   /v1/signout                          → { session, signedOut, epoch } (sign out everywhere)
 *   GET    /v1/links                            → [ link ]
 *   POST   /v1/links        {port, ttl?, label?} → link
 *   DELETE /v1/links/<id>                       → link
 * Every refusal, the client's own or the gateway's, comes back with its status
 * and the gateway's error body { error, status, message } (client/net/http.ts).
 */
import { chmodSync, existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { debuglog } from 'node:util';
import type { Agent } from '../agent';
import { PortholeApiError } from '../net/http';
import { ExposeError } from '../ports/exposure';
import { prepareControlFolder } from './paths';
import { answerLog, isLogPath } from '../requests/query';
import { followLog, responseSink } from '../requests/follow';
import { isVisibility, parseJsonObject, portFrom, type Visibility } from '../../protocol';

const log = debuglog('porthole');

export class ControlServer {
  readonly path: string;
  readonly #server: http.Server;

  private constructor(path: string, server: http.Server) {
    this.path = path;
    this.#server = server;
  }

  /**
   * Make `path` ready to listen on, or throw (as `start` does) when another client answers on it.
   * Called before the agent is built too: a second client must not dial the gateway (taking over
   * the running client's session) only to find the socket taken.
   */
  static async claim(path: string): Promise<void> {
    prepareControlFolder(path);
    if (existsSync(path)) {
      if (await answers(path)) {
        throw new Error(
          `another porthole client is running (control socket ${path}); pass --control <path> to run a second one`,
        );
      }
      rmSync(path, { force: true }); // Left behind by a client that died.
    }
  }

  /**
   * Listen on the unix socket `path` (its folder created 0700, the socket made
   * 0600). A socket file left by a client that died is replaced; throws when
   * another client still answers on it, when the socket cannot be bound, and
   * (UnsafePathError) when its folder is not this user's own private folder.
   */
  static async start(agent: Agent, path: string): Promise<ControlServer> {
    await ControlServer.claim(path);
    const server = http.createServer((req, res) => {
      handle(agent, req, res).catch((error: unknown) => {
        if (!(error instanceof PortholeApiError)) log('control API failed: %s', (error as Error).stack);
        const refusal =
          error instanceof PortholeApiError ? error : new PortholeApiError(500, 'internal', (error as Error).message);
        json(res, refusal.status, refusal.toJSON());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return new ControlServer(path, server);
  }

  /** Stop listening, drop open connections (event streams included) and remove the socket file. */
  close(): void {
    this.#server.close();
    this.#server.closeAllConnections();
    rmSync(this.path, { force: true });
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

const badRequest = (message: string) => new PortholeApiError(400, 'bad_request', message);

/** The request body as a JSON object (blank is `{}`), at most 64 KiB, or a 400. */
async function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  req.setEncoding('utf8');
  for await (const chunk of req) {
    text += chunk as string;
    if (text.length > 64 * 1024) throw badRequest('request body too large');
  }
  const parsed = parseJsonObject(text);
  if (!parsed) throw badRequest('the request body must be a JSON object');
  return parsed;
}

/** A port from a JSON number or a path segment ("3000"), or a 400. */
function port(value: unknown): number {
  const parsed = portFrom(value);
  if (parsed === null) throw badRequest('port must be 1-65535');
  return parsed;
}

function optionalTtl(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw badRequest('ttl must be whole seconds');
  return value;
}

async function handle(agent: Agent, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  const method = req.method ?? 'GET';
  const item = /^\/v1\/(ports|links)\/([^/]+)$/.exec(path);
  if (item?.[1] === 'ports' && (method === 'GET' || method === 'DELETE')) {
    const number = port(item[2]);
    if (method === 'GET') return json(res, 200, agent.exposure(number));
    if (!agent.unexpose(number)) throw new PortholeApiError(404, 'port_not_exposed', `port ${number} is not exposed`);
    return json(res, 200, { port: number, exposed: false });
  }
  if (method === 'POST' && path === '/v1/ports') return json(res, 201, await expose(agent, await body(req)));
  const replay = /^\/v1\/requests\/([^/]+)\/replay$/.exec(path);
  if (method === 'POST' && replay) {
    const input = await body(req);
    const id = replay[1] as string;
    if (!/^[0-9]{1,15}$/.test(id) || Number(id) < 1) throw badRequest('the request id must be a whole number ≥ 1');
    const options = { port: input.port === undefined ? undefined : port(input.port) };
    return json(res, 201, await agent.replay(Number(id), options));
  }
  if (method === 'PATCH' && item?.[1] === 'ports') {
    const { visibility } = await body(req);
    if (!isVisibility(visibility)) throw badRequest('visibility must be private, org, link or public');
    return json(res, 200, await agent.api.setVisibility(port(item[2]), visibility));
  }
  if (method === 'DELETE' && item?.[1] === 'links') {
    return json(res, 200, await agent.api.revokeLink(decodeURIComponent(item[2] as string)));
  }
  if (method === 'POST') {
    const input = await body(req);
    switch (path) {
      case '/v1/login':
        return json(res, 201, await agent.api.loginLink(port(input.port), { ttlSeconds: optionalTtl(input.ttl) }));
      case '/v1/dashboard':
        return json(res, 201, await agent.api.dashboardLink({ ttlSeconds: optionalTtl(input.ttl) }));
      case '/v1/signout':
        return json(res, 200, await agent.api.signOut());
      case '/v1/token':
        return json(res, 201, await agent.api.ownerToken({ ttlSeconds: optionalTtl(input.ttl) }));
      case '/v1/links': {
        const label = typeof input.label === 'string' ? input.label : undefined;
        return json(
          res,
          201,
          await agent.api.createLink(port(input.port), { ttlSeconds: optionalTtl(input.ttl), label }),
        );
      }
    }
  }
  if (method !== 'GET') throw new PortholeApiError(405, 'method_not_allowed', `no ${method} ${path}`);
  if (isLogPath(path)) {
    const answer = answerLog(agent.requests, new URL(req.url ?? '/', 'http://control'));
    if (answer.kind === 'json') return json(res, answer.status, answer.body);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    followLog(agent.requests, answer, responseSink(res));
    return;
  }
  switch (path) {
    case '/v1/status':
      return json(res, 200, { ...agent.status(), ports: await agent.portStatus() });
    case '/v1/ports':
      return json(res, 200, await agent.portStatus());
    case '/v1/links':
      return json(res, 200, await agent.api.links());
    case '/v1/events': {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ event: 'snapshot', ...agent.status() })}\n`);
      const unsubscribe = agent.subscribe((event) => res.write(`${JSON.stringify(event)}\n`));
      res.on('close', unsubscribe);
      return;
    }
    default:
      throw new PortholeApiError(404, 'not_found', `no control route ${path}`);
  }
}

/** How long POST /v1/ports waits for the gateway to announce the port before answering without its URL. */
const ANNOUNCE_WAIT_MS = 10_000;

/** POST /v1/ports: expose, then the port as the gateway announced it (or `pending: true` while the tunnel is down). */
async function expose(agent: Agent, input: Record<string, unknown>): Promise<unknown> {
  const number = port(input.port);
  // The agent checks them (checkExpose) and says what is wrong.
  const label = input.label as string | undefined;
  const visibility = input.visibility as Visibility | undefined;
  try {
    agent.expose(number, { label, visibility, source: 'expose' });
  } catch (error) {
    if (!(error instanceof ExposeError)) throw error;
    throw new PortholeApiError(error.code === 'gateway_port' ? 409 : 400, error.code, error.message);
  }
  // The visibility asked for may not be the one in force (the owner's choice wins), so only the label is awaited.
  const view = await agent.announced(number, (v) => label === undefined || v.label === label, ANNOUNCE_WAIT_MS);
  if (!view) return { port: number, source: 'expose', ...(label ? { label } : {}), pending: true };
  return (await agent.portStatus(number))[0] ?? { ...view, listening: false };
}
