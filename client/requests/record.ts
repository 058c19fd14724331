/**
 * One request as the request log holds it (README, "Request log"): what the
 * gateway asked of an origin on a stream, and what came back. The shapes here
 * are the control API's, the CLI's `--json` and the MCP tools' output, so
 * they change only with care.
 */
import type { OpenViewer } from '../../protocol';

/** Header block as ordered [name, value] pairs, credentials redacted (redact.ts). */
export type LoggedHeaders = [string, string][];

/**
 * A body as far as the log kept it: `bytes` counts every byte that crossed, the first
 * `captured` of them are kept (the log's `bodyBytes` bound). Text (UTF-8 that decodes, or a
 * text content type) is shown as `text`; anything else as `base64` in the detail view. `sha256`
 * is the hex SHA-256 of the captured bytes: of the whole body when `truncated` is false.
 */
export interface LoggedBody {
  /** Bytes that crossed, whole body. */
  bytes: number;
  /** Bytes kept (≤ the log's bodyBytes). */
  captured: number;
  truncated: boolean;
  /** The captured bytes as text, when they are text. */
  text?: string;
  /** The captured bytes, base64, when they are not text. */
  base64?: string;
  sha256: string;
}

/**
 * What Porthole answered instead of the app, or why the stream ended early: `code` is the
 * gateway's error code the viewer saw (e.g. `origin_unreachable`, `origin_error`,
 * `origin_timeout`, `access_withdrawn`, `tunnel_lost`), or `viewer_left` when the viewer went
 * away; `message` says what happened.
 */
export interface LoggedError {
  code: string;
  message: string;
}

/** A request in a list (GET /v1/requests, `porthole requests`, the NDJSON follow): no headers, no bodies. */
export interface RequestSummary {
  /** Increasing per client run, from 1. */
  id: number;
  /** When the OPEN arrived (ISO 8601). */
  time: string;
  port: number;
  method: string;
  /** Path and query as the viewer sent them. */
  path: string;
  /** The public host the viewer used. */
  host: string;
  viewer: OpenViewer | { kind: 'replay' };
  /** The request this one replays, for a replay. */
  replayOf?: number;
  /** A WebSocket upgrade. */
  upgrade: boolean;
  /** `open` while the stream is in flight; `done` when it ended cleanly; `failed` when it was reset. */
  state: 'open' | 'done' | 'failed';
  /** The status the viewer got: the origin's, or Porthole's when `error` is set; null before any. */
  status: number | null;
  /** Milliseconds from the OPEN to the response head, and to the end, to 0.01 ms; null until then. */
  headMs: number | null;
  totalMs: number | null;
  /** Body bytes viewer → origin (request body, or WebSocket messages' payload) and back. */
  bytesIn: number;
  bytesOut: number;
  /** For a WebSocket: messages each way (viewer → origin is `in`), and the close code once closed. */
  websocket?: { messagesIn: number; messagesOut: number; closeCode?: number };
  error?: LoggedError;
}

/** A request in full (GET /v1/requests/<id>): its summary, headers and bodies. */
export interface RequestRecord extends RequestSummary {
  request: { headers: LoggedHeaders; body?: LoggedBody };
  /** Null until the head came (and for a request Porthole answered itself). */
  response: { headers: LoggedHeaders; body?: LoggedBody } | null;
}
