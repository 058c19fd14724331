/** Failures of the tunnel protocol, each with a stable code. */

/** The peer broke the protocol for the whole connection: the tunnel must close. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: 'TRUNCATED' | 'UNKNOWN_TYPE' | 'BAD_PAYLOAD' | 'BAD_STREAM' | 'TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A stream ended abnormally: reset by the peer, by us, or by the tunnel closing (`code` is a
 * ResetCode). Also thrown by a write after our direction ended (code STREAM_CLOSED).
 */
export class StreamResetError extends Error {
  override readonly name = 'StreamResetError';
  constructor(
    readonly code: number,
    message: string,
    /** True when the peer sent the RESET; false when it was local. */
    readonly remote: boolean,
  ) {
    super(message);
  }
}

/**
 * The multiplexer already has `limit` streams open (its `maxStreams` option): no stream was opened
 * and nothing was sent. Retrying once a stream has finished can succeed. The gateway answers it
 * with 503 `too_many_streams` and Retry-After.
 */
export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError';
  readonly code = 'too_many_streams';
  constructor(
    /** The multiplexer's `maxStreams`. */
    readonly limit: number,
  ) {
    super(`${limit} streams are open, the limit of this tunnel`);
  }
}
