/**
 * The control API of a running client, over its unix socket:
 *   GET /v1/status  → { session, gateway, tunnel, ports }
 *   GET /v1/ports   → [ { port, url, process, visibility, firstSeen } ]
 *   GET /v1/events  → NDJSON: a `snapshot` event (the status), then every event as it happens
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { Agent } from '../agent';

export class ControlServer {
  readonly path: string;
  readonly #server: http.Server;

  private constructor(path: string, server: http.Server) {
    this.path = path;
    this.#server = server;
  }

  static async start(agent: Agent, path: string): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (existsSync(path)) {
      if (await answers(path)) {
        throw new Error(
          `another porthole client is running (control socket ${path}); pass --control <path> to run a second one`,
        );
      }
      rmSync(path, { force: true }); // Left behind by a client that died.
    }
    const server = http.createServer((req, res) => handle(agent, req, res));
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

function handle(agent: Agent, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (req.method !== 'GET') return json(res, 405, { error: 'method_not_allowed', message: 'only GET' });
  switch (path) {
    case '/v1/status':
      return json(res, 200, agent.status());
    case '/v1/ports':
      return json(res, 200, agent.ports());
    case '/v1/events': {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ event: 'snapshot', ...agent.status() })}\n`);
      const unsubscribe = agent.subscribe((event) => res.write(`${JSON.stringify(event)}\n`));
      res.on('close', unsubscribe);
      return;
    }
    default:
      return json(res, 404, { error: 'not_found', message: `no control route ${path}` });
  }
}
