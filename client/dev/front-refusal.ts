/**
 * The front server's own answers (front.ts): the gateway's error page (HTML for a browser, JSON
 * `{error, status, message}` otherwise, `X-Porthole-Error: <code>`), for a request the front refuses
 * and for bytes Node's HTTP/1.1 parser cannot read at all.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorPage } from '../../gateway/pages/error-page';
import { rawHead } from './front-body';
import { FrontRefusal } from './front-request';

/** A thrown value as the refusal to show: a FrontRefusal as it is, anything else a 500. */
function asRefusal(error: unknown): FrontRefusal {
  if (error instanceof FrontRefusal) return error;
  return new FrontRefusal(500, 'internal', 'The local gateway failed to handle this request.');
}

/** The refusal page for `error`, as HTML when `accept` names text/html. */
export function refusalResponse(accept: string | undefined, error: unknown): Response {
  const refusal = asRefusal(error);
  const request = new Request('http://front.invalid/', { headers: accept ? { accept } : {} });
  return errorPage(request, { status: refusal.status, code: refusal.code, message: refusal.message, headers: {} });
}

/**
 * What a parse error from Node's HTTP parser (the `clientError` event) means: 431 for a head over
 * the limit, 408 for a head that never finished, 400 with the parser's reason otherwise.
 */
export function parseRefusal(error: NodeJS.ErrnoException): FrontRefusal {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new FrontRefusal(431, 'headers_too_large', 'The request head is larger than 128 KiB.');
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new FrontRefusal(408, 'request_timeout', 'The request head did not arrive in time.');
  }
  const reason = error.message.replace(/^Parse Error: /, '');
  return new FrontRefusal(400, 'bad_request', `The request is not valid HTTP/1.1: ${reason}.`);
}

/**
 * Writes the refusal for `error` on a raw socket (no HTTP response object: a parse error, or an
 * upgrade the front refuses) and ends the connection.
 */
export async function writeRawRefusal(socket: Duplex, error: unknown): Promise<void> {
  // An upgrade's socket has left Node's server, 'error' listener and all: a viewer's reset must not be uncaught.
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = error instanceof FrontRefusal || !(error instanceof Error) ? error : parseRefusal(error);
  const response = refusalResponse(undefined, refusal);
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [...response.headers].flat();
  const head = rawHead(response.status, STATUS_CODES[response.status] ?? '', lines, [
    'content-length',
    String(body.length),
    'connection',
    'close',
  ]);
  socket.end(Buffer.concat([head, body]));
}
