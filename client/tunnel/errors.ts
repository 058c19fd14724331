/**
 * Why a tunnel ended. The supervisor decides by class whether reconnecting
 * can help; it never inspects message text.
 */

export abstract class TunnelError extends Error {
  /** True when trying again later may succeed. */
  abstract readonly retryable: boolean;
}

/** Network trouble, gateway restart, dropped socket: try again. */
export class TunnelDroppedError extends TunnelError {
  override readonly name = 'TunnelDroppedError';
  readonly retryable = true;
}

/** The gateway refused the token: a new token is needed, retrying will not help. */
export class TunnelAuthError extends TunnelError {
  override readonly name = 'TunnelAuthError';
  readonly retryable = false;
}

/** The gateway speaks another protocol version: the client must be upgraded. */
export class TunnelVersionError extends TunnelError {
  override readonly name = 'TunnelVersionError';
  readonly retryable = false;
}

/** Another client connected for the same session and took over. */
export class TunnelReplacedError extends TunnelError {
  override readonly name = 'TunnelReplacedError';
  readonly retryable = false;
}

/**
 * The gateway refused the port table (more ports than its MAX_PORTS): reconnecting with the same
 * ports would be refused again, so the client stops; expose fewer ports (--port) or raise MAX_PORTS.
 */
export class TunnelTooManyPortsError extends TunnelError {
  override readonly name = 'TunnelTooManyPortsError';
  readonly retryable = false;
}

/**
 * The session has ended (close code 4003: its operator ended it, or it expired; 4002: its session
 * token expired; or the gateway answered 410 `session_ended` to the tunnel): nothing is left to
 * reconnect to. The CLI exits 3 (`session_ended`). `atConnect`: refused when connecting (a saved
 * session that ended meanwhile) rather than ended while connected.
 */
export class TunnelSessionEndedError extends TunnelError {
  override readonly name = 'TunnelSessionEndedError';
  readonly retryable = false;
  constructor(
    message: string,
    readonly atConnect = false,
  ) {
    super(message);
  }
}
