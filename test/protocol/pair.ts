/** Two multiplexers wired back to back in memory, with frame taps for assertions. */
import { type ControlFrame, decode, type Frame, Mux, type MuxStream } from '../../protocol';

export interface Pair {
  gateway: Mux;
  client: Mux;
  /** Streams the client accepted, in order. */
  accepted: MuxStream[];
  /** Frames each side sent, decoded. */
  sentByGateway: Frame[];
  sentByClient: Frame[];
  control: ControlFrame[];
  /** Hold delivery to the client (frames queue) until flush(). */
  hold(): void;
  flush(): void;
}

export function pair(window?: number): Pair {
  const sentByGateway: Frame[] = [];
  const sentByClient: Frame[] = [];
  const accepted: MuxStream[] = [];
  const control: ControlFrame[] = [];
  let held: Uint8Array[] | null = null;
  // Deliver on a microtask, like a real transport: never re-enter the sender.
  const gateway: Mux = new Mux({
    role: 'gateway',
    window,
    send: (bytes) => {
      sentByGateway.push(decode(bytes));
      if (held) held.push(bytes);
      else queueMicrotask(() => client.receive(bytes));
    },
    onControl: (frame) => control.push(frame),
  });
  const client: Mux = new Mux({
    role: 'client',
    window,
    send: (bytes) => {
      sentByClient.push(decode(bytes));
      queueMicrotask(() => gateway.receive(bytes));
    },
    onOpen: (stream) => accepted.push(stream),
  });
  return {
    gateway,
    client,
    accepted,
    sentByGateway,
    sentByClient,
    control,
    hold: () => {
      held = [];
    },
    flush: () => {
      const queue = held ?? [];
      held = null;
      for (const bytes of queue) client.receive(bytes);
    },
  };
}

/** Wait until a condition holds, checking after each turn of the event loop (bounded). */
export async function until(condition: () => boolean, what: string, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function request(port = 3000) {
  return {
    port,
    method: 'POST',
    path: '/',
    headers: [] as [string, string][],
    host: 'h',
    hasBody: true,
    upgrade: false,
    viewer: { kind: 'owner' as const },
  };
}

export async function readAll(stream: MuxStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let chunk = await stream.read(); chunk; chunk = await stream.read()) parts.push(chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `size` bytes of a pattern that differs by `seed`, so mixed-up streams show. */
export function filled(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
