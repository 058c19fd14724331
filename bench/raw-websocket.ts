/**
 * A WebSocket viewer on a bare TCP socket, for measuring what a viewer that
 * stops reading costs: it completes the handshake, then reads only when told
 * (`read()`), so until then the bytes sent to it pile up wherever the path
 * lets them (kernel buffers, or a proxy's memory). Frames from the server are
 * parsed as they are read (unmasked, RFC 6455 §5.2; binary messages unfragmented, as the
 * runtime and ws send them); no extensions are offered.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawViewer {
  /** Payload bytes of the binary messages read so far. */
  readonly received: number;
  /** The last text message read, if any. */
  readonly text: string | null;
  /** SHA-256 over every binary payload read so far, in order (hex). */
  digest(): string;
  /** The close frame, once read: its code (null for none) and reason. */
  readonly close: { code: number | null; reason: string } | null;
  /** Start reading (and keep reading) from the socket. */
  read(): void;
  destroy(): void;
}

/**
 * Open `path` on `host` through 127.0.0.1:`port` with a socket that reads nothing after the 101.
 * @throws Error with the status line when the answer is not 101.
 */
export async function rawViewer(port: number, host: string, path: string): Promise<RawViewer> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buffer: Buffer = await readHead(socket);
  const hash: Hash = createHash('sha256');
  const state = { received: 0, text: null as string | null, close: null as RawViewer['close'] };
  const parse = () => {
    for (;;) {
      const frame = nextFrame(buffer);
      if (!frame) return;
      buffer = buffer.subarray(frame.size);
      if (frame.opcode === 8) {
        const p = frame.payload;
        state.close =
          p.length >= 2 ? { code: p.readUInt16BE(0), reason: p.subarray(2).toString() } : { code: null, reason: '' };
      } else if (frame.opcode === 1) {
        state.text = frame.payload.toString();
      } else if (frame.opcode === 0 || frame.opcode === 2) {
        state.received += frame.payload.length;
        hash.update(frame.payload);
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    parse();
  });
  socket.on('error', () => {});
  return {
    get received() {
      return state.received;
    },
    get text() {
      return state.text;
    },
    get close() {
      return state.close;
    },
    digest: () => hash.copy().digest('hex'),
    read: () => {
      parse();
      socket.resume();
    },
    destroy: () => socket.destroy(),
  };
}

/** Read up to the end of the response head; what follows it is returned (frames already sent). */
function readHead(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.pause(); // Nothing more is read until the caller says so (a 'data' listener does not resume it).
      socket.off('data', onData);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) reject(new Error(`no upgrade: ${status}`));
      else resolve(head.subarray(end + 4));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The first complete frame in `buffer`, or null. */
function nextFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buffer.length < 2) return null;
  const opcode = (buffer[0] as number) & 0x0f;
  let length = (buffer[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return null;
  return { opcode, payload: buffer.subarray(offset, offset + length), size: offset + length };
}
