/**
 * The two identifiers both ends check: a TCP port number and a session id. Written once here so
 * the gateway, the client and the control socket agree on their shape.
 */

/** Whether `value` is a TCP port number a preview can serve: an integer from 1 to 65535 (RFC 793; 0 is not a port to connect to). */
export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Whether `text` has the shape of a session id: 16 characters of lowercase RFC 4648 base32 (80 bits). */
export function isSessionId(text: unknown): text is string {
  return typeof text === 'string' && /^[a-z2-7]{16}$/.test(text);
}

/**
 * A port from an API request: a JSON number, or a path segment of at most five digits ("3000").
 * Null when it is neither or not a port (see isPort); the caller answers its own 400.
 */
export function portFrom(value: unknown): number | null {
  const port = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  return isPort(port) ? port : null;
}
