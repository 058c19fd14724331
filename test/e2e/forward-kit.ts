/**
 * What the forwarding protocol's attack tests share (attack-i20-forward-*.test.ts): a hostile tunnel
 * client speaking the frames directly (no Agent: it answers each OPEN as the test says), and the
 * owner's side as a raw `ws` WebSocket (subprotocol porthole.tcp.v1, an owner token) that records
 * what it gets: the gateway's HTTP refusal, or its messages and its close.
 */
import type net from 'node:net';
import WebSocket from 'ws';
import { descendantsNamed, rssMiB } from '../../bench/procs';
import { lookup } from '../../client/net/lookup';
import {
  decode,
  encode,
  type Frame,
  FrameCode,
  type OpenFrame,
  SUBPROTOCOL,
  TCP_SUBPROTOCOL,
  windowMessage,
} from '../../protocol';
import { afterTest, createSession, type Harness, request, waitFor } from './harness';
import { ownerToken, tcpOrigin } from './tcp-kit';

/** A tunnel client for a new session whose every OPEN goes to `onOpen` (the test answers it, or not). */
export interface HostileTunnel {
  session: string;
  /** An owner token of the session. */
  owner: string;
  send(frame: Frame): void;
  /** Bytes as they go on the wire: for frames the codec would not encode (a RESET reason over 200 characters). */
  sendRaw(bytes: Uint8Array): void;
  /** Every frame the gateway sent, in order. */
  frames: Frame[];
  ws: WebSocket;
}

/** Connect a hostile client exposing `port` (public); resolves once the gateway's port table lists it. */
export async function hostileTunnel(
  h: Harness,
  port: number,
  onOpen: (open: OpenFrame, tunnel: HostileTunnel) => void,
): Promise<HostileTunnel> {
  const { session, token } = await createSession(h);
  const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${token}` },
    lookup,
    perMessageDeflate: false,
  });
  afterTest(() => ws.terminate());
  let listed = false;
  const tunnel: HostileTunnel = {
    session,
    owner: '',
    send: (frame) => ws.send(encode(frame)),
    sendRaw: (bytes) => ws.send(bytes),
    frames: [],
    ws,
  };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const frame = decode(new Uint8Array(data));
    tunnel.frames.push(frame);
    if (frame.type === 'PORT_SNAPSHOT') listed = frame.body.ports.some((p) => p.port === port);
    if (frame.type === 'OPEN') onOpen(frame, tunnel);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  tunnel.send({ type: 'HELLO', stream: 0, body: { ports: [{ port, visibility: 'public' }] } });
  await waitFor(() => listed, 'the port in the table');
  tunnel.owner = await ownerToken(h, session, token);
  return tunnel;
}

/** A RESET frame as the wire carries it, with a reason of any length (the codec cuts at 200 characters). */
export function rawReset(stream: number, code: number, reason: string): Uint8Array {
  const text = Buffer.from(reason, 'utf8');
  const bytes = Buffer.alloc(7 + text.length);
  bytes.writeUInt8(FrameCode.RESET, 0);
  bytes.writeUInt32BE(stream, 1);
  bytes.writeUInt16BE(code, 5);
  text.copy(bytes, 7);
  return bytes;
}

/** The owner's forwarded connection, as the raw socket saw it. */
export interface OwnerSocket {
  ws: WebSocket;
  /** Binary bytes received so far. */
  bytes(): Buffer;
  /** Text messages received so far (`window <n>`, `end`). */
  texts: string[];
  /** The close (code and reason), once it came. */
  closed: Promise<{ code: number; reason: string }>;
  /** Window granted to us so far by `window` messages (not counting the initial window). */
  granted(): number;
  /** Grant the gateway `n` more bytes. */
  grant(n: number): void;
}

/** The gateway's HTTP answer instead of the 101. */
export interface Refusal {
  status: number;
  body: { error?: string; message?: string };
}

/**
 * Open the owner's WebSocket to `port` of `session` with `owner`; resolves with it, or the gateway's
 * refusal. `keep` false: binary messages are not kept (`bytes()` is empty; the test listens itself).
 */
export function openOwner(
  h: Harness,
  session: string,
  port: number,
  owner: string,
  { keep = true }: { keep?: boolean } = {},
): Promise<OwnerSocket | Refusal> {
  const url = `${h.gateway.url.replace('http', 'ws')}/api/sessions/${session}/tcp/${port}`;
  const ws = new WebSocket(url, [TCP_SUBPROTOCOL], {
    headers: { authorization: `Bearer ${owner}` },
    lookup,
    perMessageDeflate: false,
  });
  afterTest(() => ws.terminate());
  const chunks: Buffer[] = [];
  const texts: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) texts.push(data.toString());
    else if (keep) chunks.push(data);
  });
  const granted = () => texts.reduce((sum, text) => sum + (text.startsWith('window ') ? Number(text.slice(7)) : 0), 0);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      const body: Buffer[] = [];
      res.on('data', (chunk: Buffer) => body.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(body).toString();
        let parsed: Refusal['body'] = { message: text };
        try {
          parsed = JSON.parse(text) as Refusal['body'];
        } catch {
          // Not JSON: kept as the message, and the test says so.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    ws.once('open', () =>
      resolve({
        ws,
        bytes: () => Buffer.concat(chunks),
        texts,
        closed,
        granted,
        grant: (n) => ws.send(windowMessage(n)),
      }),
    );
    ws.once('error', reject);
  });
}

/** A GET of `url` (another session's port) through the gateway: `<status> <body>`, to show it still serves. */
export async function healthy(h: Harness, url: string): Promise<string> {
  const reply = await request(h.gateway, url);
  return `${reply.status} ${reply.body.toString()}`;
}

/** How one origin connection went: bytes read, its FIN, its close (and the error, ECONNRESET …). */
export interface OriginSide {
  bytes: number;
  ended: boolean;
  closed: boolean;
  error: string;
}

/** A TCP origin that records each connection (reading everything unless `paused`); closed with the test. */
export async function recordingOrigin(
  paused = false,
): Promise<{ port: number; connections: OriginSide[]; sockets: net.Socket[] }> {
  const connections: OriginSide[] = [];
  const sockets: net.Socket[] = [];
  const origin = await tcpOrigin((socket) => {
    const side: OriginSide = { bytes: 0, ended: false, closed: false, error: '' };
    connections.push(side);
    sockets.push(socket);
    if (paused) socket.pause();
    socket.on('data', (chunk: Buffer) => (side.bytes += chunk.length));
    socket.on('end', () => (side.ended = true));
    socket.on('error', (error: NodeJS.ErrnoException) => (side.error = error.code ?? error.message));
    socket.on('close', () => (side.closed = true));
  });
  return { port: origin.port, connections, sockets };
}

/** Resident memory of this test file's workerd, in MiB. */
export function gatewayRss(): number {
  const [workerd] = descendantsNamed(process.pid, 'workerd');
  if (workerd === undefined) throw new Error('no workerd under this process');
  return rssMiB(workerd);
}

/** `promise`, or an error naming `what` after `ms`: a hang fails the test with a reason. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
