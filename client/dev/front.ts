/**
 * The local gateway's public listener: a Node HTTP/1.1 server in front of workerd's direct socket.
 * It stands where Cloudflare's edge stands in production, and does what the edge does and workerd's
 * own HTTP server does not:
 * - answers `Expect: 100-continue` with `100 Continue` (RFC 9110 10.1.1) so uploads do not stall;
 * - refuses a request with two Host lines, or a parse error, with a 400 that says why (RFC 9112 3.2);
 * - sets `CF-Connecting-IP` from the connection, whatever the viewer claimed;
 * - forwards bodies with their framing and streams every response as it comes, unencoded.
 * It replaces Miniflare's entry worker, which re-encoded responses (holding streamed ones back),
 * replaced the viewer's Accept-Encoding, trusted a viewer's CF-Connecting-IP and cost more CPU per
 * request than this hop. The rules are in front-request.ts; WebSocket upgrades in front-upgrade.ts.
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  FrontRefusal,
  type ForwardedRequest,
  forwardRequest,
  MAX_RESPONSE_HEAD,
  responseHeaders,
} from './front-request';
import { headerObject, lingerThenEnd } from './front-body';
import { refusalResponse, writeRawRefusal } from './front-refusal';
import { relayUpgrade } from './front-upgrade';

export interface FrontOptions {
  /** Address to listen on (default 127.0.0.1); port 0 picks a free one. */
  host?: string;
  port?: number;
  /** workerd's proxy-style direct socket (Miniflare's `unsafeDirectSockets` with `proxy: true`). */
  upstream: { host: string; port: number };
  /** Serve https with this key pair (PEM); plain http when absent. */
  tls?: { key: string; cert: string };
}

export interface Front {
  port: number;
  close(): Promise<void>;
}

/** Largest request head accepted, bytes: Cloudflare's limit for request headers (128 KB). */
export const MAX_REQUEST_HEAD = 128 * 1024;
/**
 * Idle keep-alive connections to workerd are closed after this many ms, before workerd's own 5 s idle
 * timeout can close one under a request being sent on it.
 */
const UPSTREAM_IDLE_MS = 4_000;
const EMPTY = Buffer.alloc(0);

/** Starts the front; resolves once it listens. */
export async function startFront(options: FrontOptions): Promise<Front> {
  const scheme = options.tls ? 'https' : 'http';
  const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS, scheduling: 'lifo' });
  const fresh = new http.Agent({ keepAlive: false });
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: MAX_REQUEST_HEAD,
    // Uploads and event streams may last as long as they like; idle keep-alive is Node's 5 s.
    requestTimeout: 0,
    // …which also turns off the headers timeout unless it is set: a head must arrive within 10 s (408).
    headersTimeout: 10_000,
    connectionsCheckingInterval: 1_000,
    noDelay: true,
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue = false) => {
    // Pipelined behind a refusal, which closes the connection: not processed (RFC 9112 9.6).
    if (closing.has(req.socket)) return;
    let forward: ForwardedRequest;
    try {
      forward = forwardRequest(req, scheme, req.socket.remoteAddress, false, randomBytes(16).toString('base64url'));
    } catch (error) {
      // Refused before any 100 Continue: the viewer keeps its body (RFC 9110 10.1.1).
      void refuse(req, res, error);
      return;
    }
    if (expectsContinue) res.writeContinue();
    relay(req, res, forward, true);
  };
  const upstreamRequest = (req: http.IncomingMessage, forward: ForwardedRequest) =>
    http.request({
      host: options.upstream.host,
      port: options.upstream.port,
      method: req.method,
      path: forward.target,
      // As an object, not a list: Node writes a list-form head at once, before useChunkedEncodingByDefault
      // can be turned off. No body, no framing: otherwise a bare POST or MKCOL gets `Transfer-Encoding: chunked`.
      headers: headerObject(forward.headers),
      setHost: false,
      // A request that must not run twice gets a connection of its own: on a kept-alive one that
      // workerd closes as it is written, it could neither be retried nor answered (a spurious 502).
      agent: retryable(req, forward) ? agent : fresh,
      maxHeaderSize: MAX_RESPONSE_HEAD,
    });
  /** A request that may be sent twice: nothing is lost or repeated if workerd never saw the first (RFC 9110 9.2.2). */
  const retryable = (req: http.IncomingMessage, forward: ForwardedRequest) =>
    forward.framing === 'none' && ['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? '');
  /** Tells the gateway that the viewer of `forward` left (gateway/routing/disconnect.ts); best effort. */
  const tellLeft = (forward: ForwardedRequest) => {
    const id = forward.requestId;
    if (id === undefined) return;
    const left = http.request({
      host: options.upstream.host,
      port: options.upstream.port,
      method: 'POST',
      // The request's own target: the control plane finds the session of an owner API read in its path.
      path: forward.target,
      headers: { host: forward.authority, 'x-porthole-front-left': id, 'content-length': '0' },
      setHost: false,
      agent: fresh,
    });
    left.on('response', (answer) => answer.resume());
    left.on('error', () => {});
    left.end();
  };
  const relay = (req: http.IncomingMessage, res: http.ServerResponse, forward: ForwardedRequest, mayRetry: boolean) => {
    let up: http.ClientRequest;
    try {
      up = upstreamRequest(req, forward);
    } catch (error) {
      // Node's client refuses what its server let through (a target or value it cannot write): say so.
      const reason = error instanceof Error ? error.message : String(error);
      void refuse(req, res, new FrontRefusal(400, 'bad_request', `The request cannot be forwarded: ${reason}.`));
      return;
    }
    if (forward.framing === 'none') up.useChunkedEncodingByDefault = false;
    // Every response header line, not Node's first 2000 (the gateway bounds the head at 64 KiB).
    up.maxHeadersCount = 0;
    let answered: http.IncomingMessage | undefined;
    up.on('response', (answer) => {
      answered = answer;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
      // A response without a length may be a stream: its head goes out now, not with the first chunk.
      // (An empty write, not flushHeaders(): that one sends latin1 header bytes re-encoded as UTF-8.)
      if (answer.headers['content-length'] === undefined) res.write(EMPTY);
      answer.on('error', () => res.destroy());
      answer.pipe(res, { end: false });
      answer.on('end', () => lingerThenEnd(req, res, up));
    });
    up.on('error', (error: NodeJS.ErrnoException) => {
      if (answered?.complete) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A kept-alive connection workerd closed as the request went out: nothing reached it, so once more.
      // Never for a viewer that left: cutting its upstream request (below) ends in the same ECONNRESET.
      if (mayRetry && up.reusedSocket && !res.destroyed && retryable(req, forward) && error.code === 'ECONNRESET') {
        relay(req, res, forward, false);
        return;
      }
      void refuse(req, res, new FrontRefusal(502, 'runtime_unavailable', 'The local Workers runtime did not answer.'));
    });
    // A viewer that leaves cuts the request to workerd, and says so: workerd itself reports a closed
    // connection only when it next writes to it (a request still waiting for its answer: never).
    res.on('close', () => {
      if (res.writableFinished) return;
      up.destroy();
      tellLeft(forward);
    });
    if (forward.framing === 'none') up.end();
    else req.pipe(up);
  };

  const server = options.tls
    ? https.createServer({ ...serverOptions, key: options.tls.key, cert: options.tls.cert }, onRequest)
    : http.createServer(serverOptions, onRequest);
  // No count limit (Node's default drops lines past 2000 without a word): the 128 KiB head limit bounds it.
  server.maxHeadersCount = 0;
  // Expect: 100-continue is answered only once the front has let the request through.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => onRequest(req, res, true));
  // Upgraded connections leave the HTTP server's books (closeAllConnections does not see them).
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    relayUpgrade(options.upstream, scheme, req, socket, head, randomBytes(16).toString('base64url'), tellLeft);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') socket.destroy();
    else void writeRawRefusal(socket, error);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        agent.destroy();
        fresh.destroy();
      }),
  };
}

/** Connections a refusal is closing: requests pipelined behind it are not processed. */
const closing = new WeakSet<object>();

/** Answers `req` with the refusal page for `error` (a FrontRefusal, or a 500 for anything else). */
async function refuse(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): Promise<void> {
  closing.add(req.socket);
  const response = refusalResponse(req.headers.accept, error);
  const body = Buffer.from(await response.arrayBuffer());
  if (res.headersSent) return;
  // The request's body, if any, is not read: the connection ends with this answer.
  res.writeHead(response.status, {
    ...Object.fromEntries(response.headers),
    'content-length': String(body.length),
    connection: 'close',
  });
  res.end(body);
}
