/**
 * The differential runner of the fidelity suite (the rows: cases.ts, changes.ts, kinds.ts):
 * each case's origin is started, asked once directly and once through a preview (the gateway in
 * workerd, the real client), and the two runs are compared: status, the response headers the case names (raw,
 * repeated ones kept apart), the body bytes, what the origin saw of the request (method, target,
 * the request headers the case names, the body bytes), and for streaming cases the order: the
 * origin writes its next chunk only once the viewer has received the last (cause and effect,
 * never a stopwatch).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../../client/net/lookup';
import { afterTest, type Harness, startAgent, startOrigin, waitFor } from '../harness';
import type { Case, Run } from './case';

export type { Case, OriginContext, Run } from './case';

const hash = (bytes: Buffer) => `${bytes.length} bytes sha256 ${createHash('sha256').update(bytes).digest('hex')}`;

/** The named header lines of a raw header list, names lowercased, sorted by name (the runtime reorders; repeated ones keep their order). */
function pick(raw: string[], names: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (names.includes(name)) out.push([name, raw[i + 1]!]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

interface Target {
  port: number;
  address: string;
  host: string;
  /** The preview's public host, for `PUBLIC_HOST` in a case's header values. */
  public: string;
}

/** Starts the case's origin, which records what it got in `run.current`; `run.received` counts the viewer's bytes. */
async function startCaseOrigin(c: Case, run: { current: Run; received: number }): Promise<number> {
  const host = c.host ?? '127.0.0.1';
  const origin = c.origin;
  if (typeof origin === 'function') {
    const server = await startOrigin((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        run.current.origin = {
          method: req.method,
          url: req.url,
          headers: pick(req.rawHeaders, c.seen ?? []),
          body: hash(body),
        };
        let written = 0;
        const send = async (r: http.ServerResponse, chunk: string | Buffer) => {
          written += Buffer.byteLength(chunk);
          r.write(chunk);
          const goal = written;
          await waitFor(() => run.received >= goal, `the viewer to receive ${goal} bytes`, 5_000).catch(
            (error: Error) => {
              run.current.error = error.message;
              r.destroy();
              throw error;
            },
          );
        };
        Promise.resolve(origin(req, res, { body, send })).catch(() => {});
      });
    }, host);
    return server.port;
  }
  if ('tcp' in origin) {
    const server = net.createServer(origin.tcp);
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return (server.address() as AddressInfo).port;
  }
  const accepted = origin.ws;
  const sameOrigin = origin.sameOrigin;
  const server = new WebSocketServer({
    // `sameOrigin`: the upgrade is refused (401) unless its Origin is the one its Host names.
    ...(sameOrigin
      ? {
          verifyClient: (info: { origin: string; req: http.IncomingMessage }) =>
            info.origin === `http://${info.req.headers.host}`,
        }
      : {}),
    host,
    port: 0,
    perMessageDeflate: origin.deflate ?? false,
    handleProtocols: (offered: Set<string>) => accepted.find((p) => offered.has(p)) ?? false,
  });
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        for (const s of server.clients) s.terminate();
        server.close(() => resolve());
      }),
  );
  server.on('connection', (socket, req) => {
    run.current.origin = { method: req.method, url: req.url, headers: pick(req.rawHeaders, c.seen ?? []) };
    socket.on('message', (data, binary) => socket.send(data, { binary }));
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** The case's request headers, `PUBLIC_HOST` in their values replaced. */
const withPublicHost = (c: Case, target: Target): Record<string, string> =>
  Object.fromEntries(
    Object.entries(c.headers ?? {}).map(([name, value]) => [name, value.replaceAll('PUBLIC_HOST', target.public)]),
  );

/** One HTTP exchange of the case against `target`. */
function exchange(c: Case, target: Target, run: { current: Run; received: number }): Promise<void> {
  const compare = ['content-type', 'content-length', ...(c.compare ?? [])];
  const trailers = compare.filter((name) => name.startsWith('trailer:')).map((name) => name.slice('trailer:'.length));
  const body = c.body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.address,
        port: target.port,
        method: c.method ?? 'GET',
        path: c.path ?? '/',
        headers: {
          host: target.host,
          ...withPublicHost(c, target),
          ...(Array.isArray(body) ? { 'transfer-encoding': 'chunked' } : {}),
        },
        agent: false,
        // A viewer takes response heads of any size a browser takes (Node's own limit is 16 KiB).
        maxHeaderSize: 256 * 1024,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          run.received += chunk.length;
        });
        res.on('end', () => {
          Object.assign(run.current, {
            status: res.statusCode,
            headers: [
              ...pick(res.rawHeaders, compare),
              ...pick(res.rawTrailers, trailers).map(([name, value]) => [`trailer:${name}`, value]),
            ],
            body: hash(Buffer.concat(chunks)),
          });
          resolve();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('information', (info) => (run.current.interim ??= []).push(info.statusCode));
    afterTest(() => req.destroy());
    // No body, no framing (as curl sends it): Node would add `Content-Length: 0` to a MKCOL or a bare POST.
    if (body === undefined) Object.assign(req, { useChunkedEncodingByDefault: false });
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

/** One WebSocket exchange: the subprotocol and extensions agreed and one echoed message. */
async function websocket(c: Case, target: Target, url: string, run: { current: Run }): Promise<void> {
  const headers = { ...(c.publicHost ? { host: target.host } : {}), ...withPublicHost(c, target) };
  const socket = new WebSocket(url, c.protocols ?? [], { headers, lookup });
  afterTest(() => socket.terminate());
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const echoed = new Promise<Buffer>((resolve) => socket.once('message', (data: Buffer) => resolve(data)));
  socket.send('ping '.repeat(1000));
  Object.assign(run.current, {
    status: 101,
    headers: [
      ['sec-websocket-extensions', socket.extensions],
      ['sec-websocket-protocol', socket.protocol],
    ],
    body: (await echoed).toString(),
  });
}

/** Runs the case directly and through a preview; returns both runs, to be compared. */
export async function runCase(h: Harness, c: Case): Promise<{ direct: Run; preview: Run }> {
  const fresh = (): Run => ({ status: 0, headers: [], body: '', origin: { headers: [] } });
  const run = { current: fresh(), received: 0 };
  const port = await startCaseOrigin(c, run);
  const a = await startAgent(h, [port]);
  const url = new URL(await a.agent.url(port));
  const address = c.host ?? '127.0.0.1';
  const direct: Target = { port, address, host: c.publicHost ? url.host : `localhost:${port}`, public: url.host };
  const preview: Target = { port: h.gateway.port, address: '127.0.0.1', host: url.host, public: url.host };
  const results: Run[] = [];
  for (const [target, base] of [
    [direct, `ws://${address.includes(':') ? `[${address}]` : address}:${port}`],
    [preview, `ws://${url.host}`],
  ] as const) {
    run.current = fresh();
    run.received = 0;
    if ('ws' in c.origin) await websocket(c, target, base + (c.path ?? '/'), run);
    else await exchange(c, target, run);
    results.push(run.current);
  }
  return { direct: results[0]!, preview: results[1]! };
}
