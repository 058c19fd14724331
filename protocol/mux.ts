/**
 * The multiplexer: many streams over one message transport. It owns the
 * stream table and routes each decoded frame; it knows nothing of HTTP,
 * WebSockets, Node or Workers. The transport calls receive() per message.
 */
import { decode, encode } from './codec';
import { ProtocolError, StreamLimitError, StreamResetError } from './errors';
import {
  CONTROL_FRAMES_TO,
  CONTROL_STREAM,
  type ControlFrame,
  type Frame,
  INITIAL_WINDOW,
  MAX_DATA,
  ResetCode,
} from './frames';
import type { OpenRequest } from './payloads';
import { StreamState } from './state';
import type { SharedCredit } from './flow';
import { MuxStream, type StreamHost } from './stream';

export interface MuxOptions {
  /** The gateway opens streams; the client accepts them. */
  role: 'gateway' | 'client';
  /**
   * Put one encoded frame on the wire, as one binary WebSocket message. With `transientSend`, the
   * bytes are only valid during the call: the transport must copy or write them before returning.
   */
  send(frame: Uint8Array): void;
  /** Reuse one buffer for DATA frames (the transport copies synchronously). */
  transientSend?: boolean;
  /** Client side: the gateway opened a stream. */
  onOpen?(stream: MuxStream): void;
  /** A control-stream frame (HELLO and PORTS to the gateway; PORT_SNAPSHOT, EXPOSE and UNEXPOSE to the client). */
  onControl?(frame: ControlFrame): void;
  /** Initial per-stream window, both directions, in bytes. Default INITIAL_WINDOW (256 KiB). */
  window?: number;
  /** First stream id this side opens (gateway); later ids count up from it, skipping 0. Default 1. */
  firstStreamId?: number;
  /**
   * Most streams open at once (a count, ≥ 1): open() beyond it throws StreamLimitError. Streams
   * the peer opens are not limited here (only the gateway opens streams). Default: no limit.
   */
  maxStreams?: number;
  /**
   * A brake on the DATA of all streams together, besides each stream's window: the gateway's
   * holds DATA back while its client has not acknowledged UNREAD_WINDOW_BYTES (read-probe.ts).
   * Default none.
   */
  sharedCredit?: SharedCredit;
}

export interface MuxStats {
  /** Streams currently in the table. */
  open: number;
  /** Streams opened over the mux's life. */
  opened: number;
  /** Stream-level protocol errors the peer caused. */
  streamErrors: number;
}

/** Largest DATA frame on the wire: header, flags byte, payload. */
const MAX_FRAME = 5 + 1 + MAX_DATA;

/** Ids of recently finished streams: late frames for them are expected, not errors. */
const RECENT_LIMIT = 4096;

export class Mux {
  readonly role: 'gateway' | 'client';
  #options: MuxOptions;
  #streams = new Map<number, MuxStream>();
  #recent = new Set<number>();
  #nextId: number;
  #window: number;
  readonly #maxStreams: number;
  #closed: StreamResetError | null = null;
  #opened = 0;
  #streamErrors = 0;
  #host: StreamHost;
  #scratch: Uint8Array | undefined;

  constructor(options: MuxOptions) {
    this.role = options.role;
    this.#options = options;
    this.#window = options.window ?? INITIAL_WINDOW;
    this.#nextId = options.firstStreamId ?? 1;
    this.#maxStreams = options.maxStreams ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxStreams >= 1)) throw new RangeError(`maxStreams must be at least 1, not ${options.maxStreams}`);
    if (options.transientSend) this.#scratch = new Uint8Array(MAX_FRAME);
    this.#host = {
      send: (frame) => this.#send(frame),
      release: (stream) => this.#release(stream),
      streamError: (stream, reason) => {
        this.#streamErrors++;
        stream.reset(ResetCode.PROTOCOL_ERROR, reason);
      },
      sharedCredit: options.sharedCredit,
    };
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  stats(): MuxStats {
    return { open: this.#streams.size, opened: this.#opened, streamErrors: this.#streamErrors };
  }

  /** Send a control frame (HELLO, PORTS; PORT_SNAPSHOT, EXPOSE, UNEXPOSE). */
  control(frame: ControlFrame): void {
    this.#send(frame);
  }

  /**
   * Gateway side: open a stream for a viewer request and send its OPEN. Throws the tunnel's
   * StreamResetError (TUNNEL_CLOSED) once the transport is gone, and StreamLimitError when
   * `maxStreams` streams are open (nothing is sent then).
   */
  open(request: OpenRequest): MuxStream {
    if (this.role !== 'gateway') throw new Error('only the gateway opens streams');
    if (this.#closed) throw this.#closed;
    if (this.#streams.size >= this.#maxStreams) throw new StreamLimitError(this.#maxStreams);
    let id = this.#nextId;
    while (id === CONTROL_STREAM || this.#streams.has(id)) id = (id + 1) >>> 0;
    this.#nextId = (id + 1) >>> 0;
    // An OPEN without a body is also the gateway's END: one frame fewer per GET.
    const stream = this.#add(id, undefined, request.hasBody ? StreamState.Open : StreamState.LocalClosed);
    this.#send({ type: 'OPEN', stream: id, body: request });
    return stream;
  }

  /**
   * Handle one message from the transport. Stream-level faults reset that
   * stream; a fault that breaks the whole connection throws ProtocolError,
   * and the transport must then close the tunnel.
   */
  receive(message: Uint8Array): void {
    if (this.#closed) return;
    const frame = decode(message);
    if (frame.stream === CONTROL_STREAM) {
      this.#receiveControl(frame as ControlFrame);
      return;
    }
    if (frame.type === 'OPEN') {
      if (this.role !== 'client') throw new ProtocolError('BAD_STREAM', 'the client may not open streams');
      if (this.#streams.has(frame.stream)) {
        throw new ProtocolError('BAD_STREAM', `OPEN for stream ${frame.stream}, which is already open`);
      }
      this.#recent.delete(frame.stream);
      const stream = this.#add(
        frame.stream,
        frame.body,
        frame.body.hasBody ? StreamState.Open : StreamState.RemoteClosed,
      );
      this.#options.onOpen?.(stream);
      return;
    }
    const stream = this.#streams.get(frame.stream);
    if (stream) {
      stream.receive(frame);
      return;
    }
    this.#unknownStream(frame);
  }

  #receiveControl(frame: ControlFrame): void {
    if (!CONTROL_FRAMES_TO[this.role].includes(frame.type)) {
      throw new ProtocolError('BAD_STREAM', `${frame.type} is not sent to the ${this.role}`);
    }
    this.#options.onControl?.(frame);
  }

  #unknownStream(frame: Frame): void {
    // Frames racing a local reset or close are normal; drop them quietly.
    if (this.#recent.has(frame.stream)) return;
    this.#streamErrors++;
    // Answer only frames that expect the stream to exist; never RESET a RESET.
    if (frame.type === 'DATA' || frame.type === 'END' || frame.type === 'RESPONSE') {
      this.#send({
        type: 'RESET',
        stream: frame.stream,
        code: ResetCode.STREAM_CLOSED,
        reason: `unknown stream ${frame.stream}`,
      });
    }
  }

  /** The transport is gone: every stream fails with TUNNEL_CLOSED. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = new StreamResetError(ResetCode.TUNNEL_CLOSED, reason, false);
    for (const stream of [...this.#streams.values()]) stream.reset(ResetCode.TUNNEL_CLOSED, reason);
    this.#streams.clear();
  }

  #add(id: number, request: OpenRequest | undefined, state: StreamState): MuxStream {
    const stream = new MuxStream(id, this.#host, this.#window, request, state);
    this.#streams.set(id, stream);
    this.#opened++;
    return stream;
  }

  #release(stream: MuxStream): void {
    if (this.#streams.get(stream.id) !== stream) return;
    this.#streams.delete(stream.id);
    this.#recent.add(stream.id);
    if (this.#recent.size > RECENT_LIMIT) {
      const oldest = this.#recent.values().next().value as number;
      this.#recent.delete(oldest);
    }
  }

  #send(frame: Frame): void {
    if (this.#closed) return;
    this.#options.send(encode(frame, this.#scratch));
  }
}
