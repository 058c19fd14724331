/**
 * The one error class of the gateway. Every failure a viewer or client can
 * see is a GatewayError with a stable code; pages/error-page.ts renders it.
 */
import { errorPage } from './pages/error-page';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** HTML for browsers (Accept: text/html), JSON otherwise. */
  toResponse(request: Request): Response {
    return errorPage(request, this);
  }
}

export const notFound = () =>
  new GatewayError(404, 'not_found', 'There is no preview at this address. Check the URL you were given.');

export function misconfigured(what: string): GatewayError {
  return new GatewayError(500, 'misconfigured', `The gateway is not configured: ${what} is not set.`);
}

/** A port the session does not have open right now (closed, or never announced). */
export function notListening(port: number): GatewayError {
  return new GatewayError(
    503,
    'port_not_listening',
    `Port ${port} is not listening right now. Start the server on port ${port} in the session and reload.`,
    { 'retry-after': '2' },
  );
}
