/**
 * Closing a WebSocket that may already be closed, for the tunnel socket and
 * a viewer's socket alike.
 */
import { closeReason } from '../../protocol';

/**
 * Close `socket` with `code` and `reason` (cut to 123 UTF-8 bytes), or with no
 * code at all when `code` is undefined (the peer's close had none, or one that
 * may not be sent: RFC 6455 §7.4; the runtime throws on an echoed 1005, and a
 * reason needs a code, so none is sent). A socket already closed is left as it
 * is: that is the expected case (the peer closed first). Any other failure to
 * close is logged, never thrown: the caller is tearing down either way.
 */
export function closeSocket(socket: WebSocket, code: number | undefined, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  try {
    if (code === undefined) socket.close();
    else socket.close(code, closeReason(reason));
  } catch (error) {
    console.warn(`porthole: closing a WebSocket (${code ?? 'no code'}: ${reason}) failed:`, String(error));
  }
}
