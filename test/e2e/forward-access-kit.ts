/**
 * What the forwarding-access attack tests share (attack-i20-forward-*.test.ts): the forward check
 * (plain GET) and one forwarded connection as a raw `ws` WebSocket (subprotocol porthole.tcp.v1,
 * docs/tcp-forwarding.md), each answering a refusal as `{status, error, message}`.
 */
import WebSocket from 'ws';
import { TCP_SUBPROTOCOL } from '../../protocol/forward';
import { lookup } from '../../client/net/lookup';
import { afterTest, type Harness, request } from './harness';

/** A refusal as the gateway words it: the status and the JSON body's `error` and `message`. */
export interface Refusal {
  status: number;
  error: string;
  message: string;
}

const path = (session: string, port: number | string) => `/api/sessions/${session}/tcp/${port}`;

/** The forward check: `GET /api/sessions/<session>/tcp/<port>` without an upgrade; `setCookie`: its Set-Cookie lines. */
export async function forwardCheck(
  h: Harness,
  session: string,
  port: number | string,
  headers: Record<string, string> = {},
): Promise<Refusal & { body: Record<string, unknown>; setCookie: string[] }> {
  const reply = await request(h.gateway, path(session, port), { headers: { accept: 'application/json', ...headers } });
  const body = JSON.parse(reply.body.toString() || '{}') as Record<string, unknown>;
  const setCookie = reply.headers['set-cookie'] ?? [];
  return {
    status: reply.status,
    error: String(body.error ?? ''),
    message: String(body.message ?? ''),
    body,
    setCookie,
  };
}

/** An open forwarded connection: what it received and how it closed. */
export interface OpenForward {
  ws: WebSocket;
  /** The origin's bytes so far. */
  bytes(): string;
  /** Resolves with the close code and reason (within `timeoutMs`, default 20 s, else rejects). */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
}

/**
 * One forwarded connection with `headers`: resolves with the open connection (the gateway answered
 * 101), or with the refusal the upgrade got. Text messages (`window`, `end`) are not kept.
 */
export function forwardWs(
  h: Harness,
  session: string,
  port: number | string,
  headers: Record<string, string> = {},
): Promise<OpenForward | Refusal> {
  const ws = new WebSocket(`${h.gateway.url.replace(/^http/, 'ws')}${path(session, port)}`, [TCP_SUBPROTOCOL], {
    headers,
    lookup,
    perMessageDeflate: false,
  });
  afterTest(() => ws.terminate());
  let received = '';
  ws.on('message', (data: Buffer, binary) => {
    if (binary) received += data.toString('latin1');
  });
  const close = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const closed = (timeoutMs = 20_000) =>
    Promise.race([
      close,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the WebSocket is still open')), timeoutMs)),
    ]);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, bytes: () => received, closed }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
        resolve({ status: res.statusCode ?? 0, error: String(body.error ?? ''), message: String(body.message ?? '') });
        ws.terminate();
      });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Whether `value` is a refusal (no connection was made). */
export const isRefusal = (value: OpenForward | Refusal): value is Refusal => 'status' in value;

/**
 * Both the check and the upgrade with `headers`, each expected to be refused: resolves with the two
 * refusals (a connection the gateway admitted throws).
 */
export async function bothRefused(
  h: Harness,
  session: string,
  port: number | string,
  headers: Record<string, string>,
): Promise<{ check: Refusal; upgrade: Refusal }> {
  const { status, error, message } = await forwardCheck(h, session, port, headers);
  const upgrade = await forwardWs(h, session, port, headers);
  if (!isRefusal(upgrade))
    throw new Error(`a forwarded connection was opened with ${Object.keys(headers).join(', ') || 'no credential'}`);
  return { check: { status, error, message }, upgrade };
}

/** Send `text` as one binary message with the first window (256 KiB) the gateway grants at open. */
export const sendBytes = (open: OpenForward, text: string) => open.ws.send(Buffer.from(text), { binary: true });
