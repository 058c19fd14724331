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

/** A stream ended abnormally: reset by the peer, by us, or by the tunnel closing. */
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
