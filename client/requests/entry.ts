/**
 * One request being recorded: the taps on a stream (origin/, the replay) call
 * its methods as the exchange happens; the log reads it as a summary or a
 * record. Cheap on the hot path: counters and copies of at most `bodyBytes`
 * per body; redaction, text and hashes are made only when someone looks.
 */
import type { HeaderPairs, OpenRequest } from '../../protocol';
import { BodyCapture } from './capture';
import type { LoggedError, RequestRecord, RequestSummary } from './record';
import { redactHeaders } from './redact';

/** Bytes an entry costs besides its headers and bodies (the log's memory bound counts it). */
const ENTRY_OVERHEAD = 512;

/**
 * Bytes of heap one header pair costs besides its characters: the `[name, value]` array and two
 * string objects (measured on V8: some 70 bytes). Counting only the characters let a viewer's
 * request of thousands of tiny headers (`a1: v`, within the gateway's 32 KiB head) cost the log
 * eight times what its bound counts.
 */
const HEADER_OVERHEAD = 72;

function headerBytes(headers: HeaderPairs): number {
  let bytes = 0;
  for (const [name, value] of headers) bytes += name.length + value.length + HEADER_OVERHEAD;
  return bytes;
}

export class LogEntry {
  readonly id: number;
  /** The request as the gateway sent it, credentials included (for a replay; never shown). */
  readonly open: OpenRequest;
  readonly replayOf: number | undefined;
  readonly #started: number;
  /** Wall-clock milliseconds at the OPEN (formatted only when read: off the hot path). */
  readonly #time: number;
  readonly #clock: () => number;
  readonly #onChange: (entry: LogEntry, change: 'grow' | 'head' | 'end', bytes: number) => void;
  #bodyBytes: number;
  // Made at the first byte (most requests have no body): fewer objects per request for the collector.
  #requestBody: BodyCapture | null = null;
  #responseBody: BodyCapture | null = null;
  #state: RequestSummary['state'] = 'open';
  #status: number | null = null;
  #headers: HeaderPairs | null = null;
  #headMs: number | null = null;
  #totalMs: number | null = null;
  #error: LoggedError | undefined;
  #websocket: { messagesIn: number; messagesOut: number; closeCode?: number } | undefined;
  #wsBytesIn = 0;
  #wsBytesOut = 0;
  /** What the log's memory bound has been told of so far. */
  #accounted: number;

  constructor(
    id: number,
    open: OpenRequest,
    options: {
      bodyBytes: number;
      clock: () => number;
      replayOf?: number;
      /** Called when the entry's kept bytes grow by `bytes` (`grow`), when its head came and when it ends. */
      onChange: (entry: LogEntry, change: 'grow' | 'head' | 'end', bytes: number) => void;
    },
  ) {
    this.id = id;
    this.open = open;
    this.replayOf = options.replayOf;
    this.#clock = options.clock;
    this.#started = options.clock();
    this.#time = Date.now();
    this.#onChange = options.onChange;
    this.#bodyBytes = options.bodyBytes;
    if (open.upgrade) this.#websocket = { messagesIn: 0, messagesOut: 0 };
    this.#accounted = ENTRY_OVERHEAD + headerBytes(open.headers) + open.path.length;
  }

  /** The request body as far as it is kept (its bytes counted). */
  get requestBody(): BodyCapture {
    return (this.#requestBody ??= new BodyCapture(this.#bodyBytes));
  }

  /** The response body as far as it is kept (its bytes counted). */
  get responseBody(): BodyCapture {
    return (this.#responseBody ??= new BodyCapture(this.#bodyBytes));
  }

  /** Bytes this entry keeps (headers, captured bodies, overhead). */
  get size(): number {
    return this.#accounted;
  }

  get finished(): boolean {
    return this.#state !== 'open';
  }

  /** The response head (the origin's, or the one Porthole sent in its stead). Once. */
  head(status: number, headers: HeaderPairs): void {
    if (this.#status !== null) return;
    this.#status = status;
    this.#headers = headers;
    this.#headMs = this.#clock() - this.#started;
    this.#grow(headerBytes(headers));
    this.#onChange(this, 'head', 0);
  }

  /** Body bytes viewer → origin. */
  requestData(chunk: Uint8Array): void {
    const body = this.requestBody;
    const before = body.held;
    body.add(chunk);
    this.#grow(body.held - before);
  }

  /** Body bytes origin → viewer. */
  responseData(chunk: Uint8Array): void {
    const body = this.responseBody;
    const before = body.held;
    body.add(chunk);
    this.#grow(body.held - before);
  }

  /** A WebSocket message of `bytes` bytes, `in` from the viewer, `out` from the origin. */
  message(direction: 'in' | 'out', bytes: number): void {
    if (!this.#websocket) return;
    if (direction === 'in') {
      this.#websocket.messagesIn++;
      this.#wsBytesIn += bytes;
    } else {
      this.#websocket.messagesOut++;
      this.#wsBytesOut += bytes;
    }
  }

  /** The WebSocket closed with `code` (RFC 6455 §7.4). */
  closed(code: number): void {
    if (this.#websocket && this.#websocket.closeCode === undefined) this.#websocket.closeCode = code;
  }

  /** The exchange ended cleanly. */
  end(): void {
    this.#finish('done');
  }

  /**
   * The exchange ended early or Porthole answered instead of the app: `error.code` is what the
   * viewer saw (or `viewer_left`), `status` the status Porthole answered with, when it did.
   */
  fail(error: LoggedError, status?: number): void {
    if (this.#state !== 'open') return;
    this.#error = error;
    if (this.#status === null && status !== undefined) this.#status = status;
    this.#finish('failed');
  }

  /**
   * The ring let this entry go: its captured bodies are dropped and no more is kept (what a request
   * still in flight would capture is outside the log's byte bound); counts and times go on.
   */
  release(): void {
    this.#bodyBytes = 0; // A body not begun yet keeps nothing either.
    this.#requestBody?.release();
    this.#responseBody?.release();
  }

  summary(): RequestSummary {
    const { open } = this;
    const summary: RequestSummary = {
      id: this.id,
      time: new Date(this.#time).toISOString(),
      port: open.port,
      method: open.method,
      path: open.path,
      host: open.host,
      viewer: this.replayOf === undefined ? open.viewer : { kind: 'replay' },
      upgrade: open.upgrade,
      state: this.#state,
      status: this.#status,
      headMs: hundredths(this.#headMs),
      totalMs: hundredths(this.#totalMs ?? null),
      bytesIn: (this.#requestBody?.bytes ?? 0) + this.#wsBytesIn,
      bytesOut: (this.#responseBody?.bytes ?? 0) + this.#wsBytesOut,
    };
    if (this.replayOf !== undefined) summary.replayOf = this.replayOf;
    if (this.#websocket) summary.websocket = { ...this.#websocket };
    if (this.#error) summary.error = this.#error;
    return summary;
  }

  record(): RequestRecord {
    const request: RequestRecord['request'] = { headers: redactHeaders(this.open.headers) };
    const requestBody = this.#requestBody?.view();
    if (requestBody) request.body = requestBody;
    let response: RequestRecord['response'] = null;
    if (this.#headers) {
      response = { headers: redactHeaders(this.#headers) };
      const body = this.#responseBody?.view();
      if (body) response.body = body;
    }
    return { ...this.summary(), request, response };
  }

  #grow(bytes: number): void {
    if (bytes <= 0) return;
    this.#accounted += bytes;
    this.#onChange(this, 'grow', bytes);
  }

  #finish(state: 'done' | 'failed'): void {
    if (this.#state !== 'open') return;
    this.#state = state;
    this.#totalMs = this.#clock() - this.#started;
    this.#onChange(this, 'end', 0);
  }
}

/** Milliseconds to 0.01 ms: the clock's float noise (`13.354004000007990`) is no information. */
function hundredths(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 100) / 100;
}
