/**
 * The state machine of one stream, as pure transitions (RFC 9113 §5.1's states without idle and
 * reserved: a stream is born open, or half-closed when its OPEN carries no body).
 *
 * open ──END sent──▶ local-closed ──END received──▶ closed
 *  └──END received──▶ remote-closed ──END sent──▶ closed
 * any state but closed ──RESET either way, or the tunnel closing──▶ reset
 *
 * "END" is an END frame, a DATA frame with the END flag, a RESPONSE with its final body, or a
 * WebSocket close; an OPEN without body is also the gateway's END.
 */
export const StreamState = {
  /** Both directions may still send. */
  Open: 'open',
  /** We ended our direction; the peer may still send. */
  LocalClosed: 'local-closed',
  /** The peer ended its direction; we may still send. */
  RemoteClosed: 'remote-closed',
  /** Both directions ended: terminal. */
  Closed: 'closed',
  /** Aborted: terminal. */
  Reset: 'reset',
} as const;
export type StreamState = (typeof StreamState)[keyof typeof StreamState];

/** Whether we may still send frames on the stream. */
export function canSend(state: StreamState): boolean {
  return state === StreamState.Open || state === StreamState.RemoteClosed;
}

/** Whether the peer may still send DATA (and so be credited for what we read). */
export function canReceive(state: StreamState): boolean {
  return state === StreamState.Open || state === StreamState.LocalClosed;
}

/** Whether the stream is finished, cleanly or not. */
export function isTerminal(state: StreamState): boolean {
  return state === StreamState.Closed || state === StreamState.Reset;
}

/** The state after we end our direction; only valid while canSend(state). */
export function afterEndSent(state: StreamState): StreamState {
  if (!canSend(state)) throw new RangeError(`cannot end a stream in state ${state}`);
  return state === StreamState.Open ? StreamState.LocalClosed : StreamState.Closed;
}

/** The state after the peer ends its direction, or null when it may not (it already ended: a protocol error). */
export function afterEndReceived(state: StreamState): StreamState | null {
  if (!canReceive(state)) return null;
  return state === StreamState.Open ? StreamState.RemoteClosed : StreamState.Closed;
}
