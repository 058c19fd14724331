/** A raw TCP connection to the gateway, for tests that send bytes no HTTP client would. */
import net from 'node:net';
import { afterTest } from './harness';

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far, as latin1 text (one character per byte). */
  text(): string;
  /** Whether the connection has closed (or failed). */
  ended(): boolean;
}

/** Connects to 127.0.0.1:`port`; destroyed when the test ends. */
export function rawConnection(port: number): RawConnection {
  const socket = net.connect(port, '127.0.0.1');
  afterTest(() => socket.destroy());
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('close', () => (ended = true));
  socket.on('error', () => (ended = true));
  return { socket, text: () => Buffer.concat(chunks).toString('latin1'), ended: () => ended };
}
