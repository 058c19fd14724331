/**
 * Every frame of the tunnel protocol, as plain data, with the numbers both ends agree on. The wire
 * layout is `type:u8 | stream:u32 (big-endian) | payload`; codec.ts turns one into the other.
 */
import type {
  ExposeRequest,
  Hello,
  OpenRequest,
  PortChanges,
  PortSnapshot,
  ResponseHead,
  UnexposeRequest,
} from './payloads';

/**
 * Protocol version, named in the WebSocket subprotocol and checked there, once, at the handshake.
 * v2: OPEN's `body` became `hasBody`; HELLO and WELCOME lost their version fields.
 * v3: the gateway's `probe <n>` text messages, answered `ack <n>` by the client (read-probe.ts).
 * v4: a viewer's WebSocket messages go by a data connection per upgraded stream, not as DATA;
 * DATA lost its TEXT, MORE and CLOSE flags (docs/protocol.md, "Upgraded streams").
 * v5: a probe carries a random 64-bit nonce (`probe <16 hex>`, answered `ack <16 hex>`), and DATA
 * towards the client waits on its acks too (read-probe.ts).
 * v6: port entries of HELLO, PORTS and WELCOME carry an optional `label`, and the gateway sends the
 * client EXPOSE and UNEXPOSE (the owner exposing a port from the owner API or the dashboard); a v5
 * peer would refuse both as unknown, so the version names them.
 * v8: the visibility `org` (a signed-in member of the session's organisation, docs/identity.md) in
 * port entries and EXPOSE, and OPEN's `viewer.kind` `org`; a v7 peer would refuse both.
 */
export const PROTOCOL_VERSION = 9;
export const SUBPROTOCOL = `porthole.v${PROTOCOL_VERSION}`;

/** Largest DATA payload (one chunk) in one frame, in bytes. */
export const MAX_DATA = 64 * 1024;
/** Credit each side grants a new stream before any WINDOW frame, in bytes (the default window). */
export const INITIAL_WINDOW = 256 * 1024;
/** Largest JSON payload (OPEN, RESPONSE, HELLO …), in bytes: bounds header blocks. */
export const MAX_JSON = 256 * 1024;
/** Stream 0 carries session-level control frames. */
export const CONTROL_STREAM = 0;

/**
 * Wire numbers of the frame types, by their wire names (docs/protocol.md). In code, frame 2 (WELCOME)
 * is a PortSnapshotFrame, type 'PORT_SNAPSHOT': it is the whole port table, re-sent after every
 * change, not only a greeting. The codec maps one to the other.
 */
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
  EXPOSE: 10,
  UNEXPOSE: 11,
} as const;
/** A decoded frame's `type`: its wire name, but PORT_SNAPSHOT for WELCOME. */
export type FrameName = Frame['type'];

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
  /**
   * The viewer's grant was withdrawn ("sign out everywhere", a revoked link, a port made less
   * visible, or the credential expired): the client ends the stream's WebSocket with 1008 and the reason.
   */
  REVOKED: 10,
} as const;
export type ResetCode = (typeof ResetCode)[keyof typeof ResetCode];

/** WebSocket close codes of the tunnel socket itself, shared by both ends. */
export const CloseCode = {
  /** A newer client connected for the same session; the old one must not reconnect. */
  REPLACED: 4000,
  /** The client's port table is over the gateway's MAX_PORTS; final, the client must not reconnect into the same refusal. */
  TOO_MANY_PORTS: 4001,
  /** The session token the tunnel was opened with has expired; final, the client needs a new token. */
  SESSION_EXPIRED: 4002,
  /**
   * The session was ended (by the operator: DELETE /api/sessions/<id>, or at its expiry); final, the
   * session and everything of it are gone (the reason says why: `ended by the operator`, `expired`).
   */
  SESSION_ENDED: 4003,
  /** The peer broke the protocol (the reason says how). */
  PROTOCOL_ERROR: 1002,
  /** The peer broke a limit that is not a protocol rule (e.g. sent control frames too fast; the reason says which). */
  POLICY: 1008,
} as const;

/** HELLO: the client's exposed ports, on connect. Client → gateway, stream 0. */
export interface HelloFrame {
  type: 'HELLO';
  stream: 0;
  body: Hello;
}

/** WELCOME on the wire: the gateway's whole port table (a port snapshot), after HELLO and every change. Gateway → client, stream 0. */
export interface PortSnapshotFrame {
  type: 'PORT_SNAPSHOT';
  stream: 0;
  body: PortSnapshot;
}

/** PORTS: ports opened and closed since the last HELLO or PORTS. Client → gateway, stream 0. */
export interface PortsFrame {
  type: 'PORTS';
  stream: 0;
  body: PortChanges;
}

/** EXPOSE: the owner asked to expose a port (v6). Gateway → client, stream 0. */
export interface ExposeFrame {
  type: 'EXPOSE';
  stream: 0;
  body: ExposeRequest;
}

/** UNEXPOSE: the owner asked to stop exposing a port (v6). Gateway → client, stream 0. */
export interface UnexposeFrame {
  type: 'UNEXPOSE';
  stream: 0;
  body: UnexposeRequest;
}

/** OPEN: a new stream for one viewer request. Gateway → client (only the gateway opens streams). */
export interface OpenFrame {
  type: 'OPEN';
  /** The new stream's id: never 0, never one in use. */
  stream: number;
  body: OpenRequest;
}

/** RESPONSE: the origin's response head. Client → gateway, once per stream. */
export interface ResponseFrame {
  type: 'RESPONSE';
  stream: number;
  body: ResponseHead;
  /** When present, the whole body (≤ MAX_DATA bytes, counted against the window): the frame also ends the client's direction. */
  final?: Uint8Array;
}

/** DATA: one chunk of a stream's bytes (≤ MAX_DATA), counted against the receiver's window. Both ways. */
export interface DataFrame {
  type: 'DATA';
  stream: number;
  /** The chunk. */
  data: Uint8Array;
  /** END flag: this is the sender's last frame on the stream, as an END would be (HTTP/2's END_STREAM). */
  end?: boolean;
}

/** END: the sender's direction is finished. Both ways. */
export interface EndFrame {
  type: 'END';
  stream: number;
}

/** RESET: abort the stream both ways. Both ways; never answered with another RESET. */
export interface ResetFrame {
  type: 'RESET';
  stream: number;
  /** A ResetCode (u16 on the wire; unknown codes are kept as numbers). */
  code: number;
  /** Why, for logs and error pages (UTF-8, at most 200 characters are sent). */
  reason: string;
}

/** WINDOW: the receiver consumed this many more bytes; the sender may send as many more. Both ways. */
export interface WindowFrame {
  type: 'WINDOW';
  stream: number;
  /** Credit in bytes, 1 to 2^32-1 (0 is a protocol error; a window over 2^31-1 is a flow-control error). */
  credit: number;
}

export type Frame =
  | HelloFrame
  | PortSnapshotFrame
  | PortsFrame
  | ExposeFrame
  | UnexposeFrame
  | OpenFrame
  | ResponseFrame
  | DataFrame
  | EndFrame
  | ResetFrame
  | WindowFrame;

/** The frames of stream 0. */
export type ControlFrame = HelloFrame | PortSnapshotFrame | PortsFrame | ExposeFrame | UnexposeFrame;

/** Which control frames each side may receive; any other is a connection-level ProtocolError. */
export const CONTROL_FRAMES_TO: Record<'gateway' | 'client', readonly ControlFrame['type'][]> = {
  gateway: ['HELLO', 'PORTS'],
  client: ['PORT_SNAPSHOT', 'EXPOSE', 'UNEXPOSE'],
};
