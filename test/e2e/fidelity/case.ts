/** The shape of one fidelity row (Case) and of what a run saw (Run); the runner is runner.ts. */
import type http from 'node:http';
import type net from 'node:net';

/** What a case's origin gets besides the request: its body, read whole, and the streaming step. */
export interface OriginContext {
  body: Buffer;
  /** Writes `chunk`, then resolves once the viewer has received every byte written so far. */
  send(res: http.ServerResponse, chunk: string | Buffer): Promise<void>;
}

export interface Case {
  name: string;
  /** The origin: an HTTP handler, a raw TCP handler (for origins Node's server would not be), or WebSocket protocols it accepts. */
  origin:
    | ((req: http.IncomingMessage, res: http.ServerResponse, ctx: OriginContext) => unknown)
    | { tcp: (socket: net.Socket) => void }
    | { ws: string[]; deflate?: boolean; sameOrigin?: boolean };
  /** The origin's listening address (default 127.0.0.1). */
  host?: string;
  method?: string;
  /** The request target, default `/`. */
  path?: string;
  /** Request headers; `PUBLIC_HOST` in a value stands for the preview's public host. */
  headers?: Record<string, string>;
  /** One buffer is sent with Content-Length; several are written one by one, chunked. */
  body?: Buffer | Buffer[];
  /** The direct run names the app by the preview's public host (as if served there) rather than localhost:<port>. */
  publicHost?: boolean;
  /** Response headers compared (lowercase; each occurrence kept; `trailer:<name>` a trailer). Content-Type and Content-Length always are. */
  compare?: string[];
  /** Request headers compared as the origin saw them. */
  seen?: string[];
  /** WebSocket rows: the subprotocols the viewer offers. */
  protocols?: string[];
  /** What Porthole changes on purpose (header names, `:target` for the request target), and why: checked to differ. */
  changes?: Record<string, string>;
  /** A row that fails today: the issue-14 kind it belongs to (the test is `it.fails`, so it flips when fixed). */
  fails?: string;
}

/** What one run saw on each side. */
export interface Run {
  status: number;
  headers: [string, string][];
  body: string;
  /** What the origin saw: method, target, the compared request headers, body hash. */
  origin: { method?: string; url?: string; headers: [string, string][]; body?: string };
  /** Interim (1xx) statuses before the response. */
  interim?: number[];
  /** A streaming step that never came (the response was held back). */
  error?: string;
}
