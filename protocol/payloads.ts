/**
 * The JSON payloads of the tunnel's frames (HELLO, WELCOME, PORTS, EXPOSE, UNEXPOSE, OPEN, RESPONSE), as plain data.
 * validate.ts checks each one a peer sends; docs/protocol.md lists them on the wire.
 */

/**
 * Header block as ordered name/value pairs: repeated names (set-cookie) stay separate. Values are
 * byte strings (each character one byte, as Node's rawHeaders give them); the gateway converts to
 * and from the runtime's UTF-8 text (gateway/session/header-bytes.ts).
 */
export type HeaderPairs = [string, string][];

/**
 * Who may open a port's URL: the owner only; the owner, the session's organisation (signed-in
 * identities its policy admits, v8) and share-link holders; the owner and share-link holders; or
 * anyone (docs/identity.md).
 */
export const VISIBILITIES = ['private', 'org', 'link', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

/** A port as the client announces it. */
export interface PortInfo {
  /** TCP port number, 1–65535. */
  port: number;
  /** Name of the process listening, where known. */
  process?: string;
  /** Who may open the port, as the client's default or rule says (default private); the owner's later choice wins. */
  visibility?: Visibility;
  /** What the user calls the port (v6): 1–64 characters, no control characters (port-label.ts). */
  label?: string;
}

/** A port as the gateway's port table holds it. */
export interface PortEntry {
  port: number;
  /** Public URL of the port (only the gateway can sign it). */
  url: string;
  process?: string;
  /** Who may open it now: the owner's choice, else the client's, else private. */
  visibility: Visibility;
  /** When the port was first announced (ISO 8601). */
  firstSeen: string;
  /** The client's label for the port, when it gave one (v6). */
  label?: string;
  /**
   * Why the visibility the client announced was not applied (v8): an `org` on a session without an
   * org policy is private (docs/identity.md); the client tells its user. Absent when it was applied.
   */
  refused?: string;
}

/**
 * HELLO, client → gateway on connect: every port the client exposes. The protocol version is
 * not repeated here: the WebSocket subprotocol (`porthole.v<N>`) names it, and the gateway
 * refuses another version at the handshake.
 */
export interface Hello {
  ports: PortInfo[];
}

/** WELCOME, gateway → client: the whole port table, sent after HELLO and again after every change. */
export interface PortSnapshot {
  /** The session id. */
  session: string;
  ports: PortEntry[];
}

/** PORTS, client → gateway: the exposed port set changed. Closes apply before opens. */
export interface PortChanges {
  opened: PortInfo[];
  /** Port numbers no longer exposed. */
  closed: number[];
}

/**
 * EXPOSE, gateway → client (v6): the session's owner asked (owner API) to expose a port, any port
 * 1–65535, whether or not anything listens on it. The client applies it as `porthole expose` would;
 * the WELCOME that follows its PORTS shows the result.
 */
export interface ExposeRequest {
  port: number;
  label?: string;
  visibility?: Visibility;
}

/** UNEXPOSE, gateway → client (v6): the owner asked to stop exposing a port, whatever exposed it. */
export interface UnexposeRequest {
  port: number;
}

/**
 * Who a viewer request came from, as the gateway admitted it (v7): the session's `owner`; a
 * reviewer with the share link `link` (the link's id, as the owner API lists it); `public`, anyone
 * on a public port without a credential; `preflight`, a browser's CORS preflight for a sibling
 * port, which carries no credential. The client records it (request log) and never decides access by it.
 */
export type OpenViewer =
  { kind: 'owner' } | { kind: 'org' } | { kind: 'link'; link: string } | { kind: 'public' } | { kind: 'preflight' };

/** The kinds of OpenViewer (`org`, v8: a signed-in member of the session's organisation, not named). */
export const VIEWER_KINDS = ['owner', 'org', 'link', 'public', 'preflight'] as const;

/**
 * OPEN's port for the client's own request log (v7), not an origin: the gateway opens such a
 * stream only for the session's owner (the dashboard's requests panel), with a GET of a control-API
 * request-log path (`/v1/requests…`), and the client answers it from its log as its control API would.
 */
export const REQUEST_LOG_PORT = 0;

/** OPEN, gateway → client: a viewer request for a port (or, port 0, for the client's request log). */
export interface OpenRequest {
  /** 1–65535, or REQUEST_LOG_PORT (0). */
  port: number;
  /** HTTP method, as the viewer sent it. */
  method: string;
  /** Path and query, always starting with "/". */
  path: string;
  headers: HeaderPairs;
  /** The public host the viewer used (also in x-forwarded-host). */
  host: string;
  /** True when a request body follows as DATA frames; false means the OPEN is also the gateway's END. */
  hasBody: boolean;
  /** True for a WebSocket upgrade. */
  upgrade: boolean;
  /** Who sent it (v7). */
  viewer: OpenViewer;
  /**
   * True for a raw TCP connection (v9, `porthole forward`; docs/tcp-forwarding.md): the client
   * connects to the port, answers RESPONSE 200 once the connection is made, and the stream's DATA
   * are the connection's bytes both ways, END its half-close. `method` is `CONNECT`, `path` `/`,
   * `headers` empty, `upgrade` false. Absent means false.
   */
  tcp?: boolean;
}

/** RESPONSE, client → gateway: the origin's response head. */
export interface ResponseHead {
  /** HTTP status, 101–599. */
  status: number;
  headers: HeaderPairs;
}
