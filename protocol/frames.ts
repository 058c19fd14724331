/**
 * Every frame of the tunnel protocol, as plain data. The wire layout is
 * `type:u8 | stream:u32 (big-endian) | payload`; see codec.ts.
 */

/** Protocol version; also named in the WebSocket subprotocol. */
export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = `porthole.v${PROTOCOL_VERSION}`;

/** Largest DATA payload (body bytes) in one frame. */
export const MAX_DATA = 64 * 1024;
/** Credit each side grants a new stream before any WINDOW frame. */
export const INITIAL_WINDOW = 256 * 1024;
/** Largest JSON payload (OPEN, RESPONSE, HELLO …): bounds header blocks. */
export const MAX_JSON = 256 * 1024;
/** Stream 0 carries session-level control frames. */
export const CONTROL_STREAM = 0;

/** Wire numbers of the frame types. */
export const FrameCode = {
  HELLO: 1,
  WELCOME: 2,
  PORTS: 3,
  OPEN: 4,
  RESPONSE: 5,
  DATA: 6,
  END: 7,
  RESET: 8,
  WINDOW: 9,
} as const;
export type FrameName = keyof typeof FrameCode;

/** Why a stream was reset; carried in RESET frames. */
export const ResetCode = {
  /** The other side no longer wants the stream (viewer went away). */
  CANCEL: 1,
  /** The origin refused the connection (nothing listening). */
  REFUSED: 2,
  /** The origin failed or closed mid-exchange. */
  ORIGIN_ERROR: 3,
  /** A frame broke the protocol for this stream. */
  PROTOCOL_ERROR: 4,
  /** DATA beyond the granted window. */
  FLOW_CONTROL: 5,
  /** The tunnel closed with the stream in flight (local only, never sent). */
  TUNNEL_CLOSED: 6,
  /** The origin did not answer in time. */
  TIMEOUT: 7,
  /** The client does not expose the requested port. */
  NOT_EXPOSED: 8,
  /** A frame arrived for a stream that is not open. */
  STREAM_CLOSED: 9,
} as const;
export type ResetCode = (typeof ResetCode)[keyof typeof ResetCode];

/** WebSocket close codes of the tunnel, shared by both ends. */
export const CloseCode = {
  /** A newer client connected for the same session; the old one must not reconnect. */
  REPLACED: 4000,
  /** The peer broke the protocol (the reason says how). */
  PROTOCOL_ERROR: 1002,
} as const;

/** Header block as ordered name/value pairs: repeated names (set-cookie) stay separate. */
export type HeaderPairs = [string, string][];

/** Client → gateway on connect. */
export interface Hello {
  version: number;
  client: string;
  /** Ports the client exposes, with per-port options. */
  ports: PortInfo[];
}

export interface PortInfo {
  port: number;
  /** Name of the process listening, where known. */
  process?: string;
  /** Who may open the port, as the client's default or rule says (default private); the owner's later choice wins. */
  visibility?: Visibility;
}

/** Who may open a port's URL: the owner only, holders of a share link too, or anyone. */
export const VISIBILITIES = ['private', 'link', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

/** A port as the gateway's port table holds it. */
export interface PortEntry {
  port: number;
  /** Public URL of the port. */
  url: string;
  process?: string;
  visibility: Visibility;
  /** When the port was first announced (ISO 8601). */
  firstSeen: string;
}

/** Gateway → client, answers HELLO, and after every PORTS change: the whole port table. */
export interface Welcome {
  version: number;
  session: string;
  ports: PortEntry[];
}

/** Client → gateway: the exposed port set changed. */
export interface PortsMessage {
  opened: PortInfo[];
  closed: number[];
}

/** Gateway → client: a viewer request for a port. */
export interface OpenRequest {
  port: number;
  method: string;
  /** Path and query, always starting with "/". */
  path: string;
  headers: HeaderPairs;
  /** The public host the viewer used (also in x-forwarded-host). */
  host: string;
  /** True when a request body follows as DATA frames; false means the OPEN is also the gateway's END. */
  body: boolean;
  /** True for a WebSocket upgrade. */
  upgrade: boolean;
}

/** Client → gateway: the origin's response head. */
export interface ResponseHead {
  status: number;
  headers: HeaderPairs;
}

export type Frame =
  | { type: 'HELLO'; stream: 0; body: Hello }
  | { type: 'WELCOME'; stream: 0; body: Welcome }
  | { type: 'PORTS'; stream: 0; body: PortsMessage }
  | { type: 'OPEN'; stream: number; body: OpenRequest }
  /** `final`, when present, is the whole body: the frame also ends the sender's direction. */
  | { type: 'RESPONSE'; stream: number; body: ResponseHead; final?: Uint8Array }
  /**
   * `end` makes this the sender's last frame, as an END would (HTTP/2's
   * END_STREAM). On an upgraded stream a WebSocket message is one DATA frame,
   * or several with `more` on all but the last; `text` marks a text message;
   * `close` carries the WebSocket close (code:u16 | reason) and comes with `end`.
   */
  | { type: 'DATA'; stream: number; data: Uint8Array; text: boolean; end?: boolean; more?: boolean; close?: boolean }
  | { type: 'END'; stream: number }
  | { type: 'RESET'; stream: number; code: number; message: string }
  | { type: 'WINDOW'; stream: number; credit: number };

export type ControlFrame = Extract<Frame, { stream: 0 }>;
