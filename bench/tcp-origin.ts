/**
 * `node dist/bench.js tcp-origin` — the TCP section's origins, in a process of their own, on
 * 127.0.0.1 port 0: prints one JSON line `{echo, sink, source}` (their ports) and runs until killed.
 * - echo: writes back every byte it reads, and its FIN after them (half-close kept);
 * - sink: reads everything; on the client's FIN answers `<bytes read>\n` and ends;
 * - source: reads one line `<n>\n`, then writes n bytes (64 KiB chunks, as the socket drains) and ends.
 */
import net, { type AddressInfo } from 'node:net';

/** Bytes of each write of the source. */
const CHUNK = 64 * 1024;

function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const echo = (socket: net.Socket) => socket.pipe(socket);

function sink(socket: net.Socket): void {
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  socket.on('end', () => socket.end(`${bytes}\n`));
}

function source(block: Buffer) {
  return (socket: net.Socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const newline = head.indexOf('\n');
      if (newline < 0) return;
      socket.off('data', onData);
      socket.resume();
      void send(socket, block, Number(head.slice(0, newline)));
    };
    socket.on('data', onData);
  };
}

async function send(socket: net.Socket, block: Buffer, total: number): Promise<void> {
  for (let sent = 0; sent < total && !socket.destroyed;) {
    const chunk = total - sent >= block.length ? block : block.subarray(0, total - sent);
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  socket.end();
}

export async function runTcpOrigin(): Promise<void> {
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < block.length; i++) block[i] = (i * 131 + 7) & 0xff;
  const ports = { echo: await listen(echo), sink: await listen(sink), source: await listen(source(block)) };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
}
