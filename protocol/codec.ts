/**
 * Pure encode/decode of tunnel frames. Decoding never trusts its input: a
 * malformed frame throws a ProtocolError naming what was wrong.
 */
import { ProtocolError } from './errors';
import { CONTROL_FRAMES_TO, CONTROL_STREAM, type Frame, FrameCode, type FrameName, MAX_DATA, MAX_JSON } from './frames';
import * as validate from './validate';

const HEADER = 5;
/** Each frame type's wire number: PORT_SNAPSHOT travels as WELCOME, the rest under their own names. */
const codes: Record<FrameName, number> = {
  HELLO: FrameCode.HELLO,
  PORT_SNAPSHOT: FrameCode.WELCOME,
  PORTS: FrameCode.PORTS,
  OPEN: FrameCode.OPEN,
  RESPONSE: FrameCode.RESPONSE,
  DATA: FrameCode.DATA,
  END: FrameCode.END,
  RESET: FrameCode.RESET,
  WINDOW: FrameCode.WINDOW,
  EXPOSE: FrameCode.EXPOSE,
  UNEXPOSE: FrameCode.UNEXPOSE,
};
const controlNames = new Set<FrameName>([...CONTROL_FRAMES_TO.gateway, ...CONTROL_FRAMES_TO.client]);
const names = new Map<number, FrameName>(Object.entries(codes).map(([name, code]) => [code, name as FrameName]));
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * DATA flag bits: END, this frame ends the sender's direction. (Bits 0, 2 and 3 carried WebSocket
 * messages over the tunnel up to v3; since v4 a WebSocket has its own data connection, and every
 * bit but END is refused.)
 */
const FLAG_END = 2;

function frame(
  type: FrameName,
  stream: number,
  payloadLength: number,
  scratch?: Uint8Array,
): { bytes: Uint8Array; view: DataView } {
  const size = HEADER + payloadLength;
  const bytes = scratch && scratch.length >= size ? scratch.subarray(0, size) : new Uint8Array(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(0, codes[type]);
  view.setUint32(1, stream);
  return { bytes, view };
}

function json(type: FrameName, stream: number, body: unknown): Uint8Array {
  const payload = encoder.encode(JSON.stringify(body));
  if (payload.length > MAX_JSON) throw new ProtocolError('TOO_LARGE', `${type} payload over ${MAX_JSON} bytes`);
  const { bytes } = frame(type, stream, payload.length);
  bytes.set(payload, HEADER);
  return bytes;
}

/**
 * Encode a frame. With `scratch`, a DATA frame is written into that buffer
 * (no allocation) and the result is only valid until the next encode.
 */
export function encode(f: Frame, scratch?: Uint8Array): Uint8Array {
  switch (f.type) {
    case 'HELLO':
    case 'PORT_SNAPSHOT':
    case 'PORTS':
    case 'EXPOSE':
    case 'UNEXPOSE':
    case 'OPEN':
      return json(f.type, f.stream, f.body);
    case 'RESPONSE':
      return f.final === undefined ? json(f.type, f.stream, f.body) : responseWithBody(f.stream, f.body, f.final);
    case 'DATA': {
      if (f.data.length > MAX_DATA) throw new ProtocolError('TOO_LARGE', `DATA over ${MAX_DATA} bytes`);
      const { bytes, view } = frame('DATA', f.stream, 1 + f.data.length, scratch);
      view.setUint8(HEADER, f.end ? FLAG_END : 0);
      bytes.set(f.data, HEADER + 1);
      return bytes;
    }
    case 'END':
      return frame('END', f.stream, 0).bytes;
    case 'RESET': {
      const reason = encoder.encode(f.reason.slice(0, 200));
      const { bytes, view } = frame('RESET', f.stream, 2 + reason.length);
      view.setUint16(HEADER, f.code);
      bytes.set(reason, HEADER + 2);
      return bytes;
    }
    case 'WINDOW': {
      const { bytes, view } = frame('WINDOW', f.stream, 4);
      view.setUint32(HEADER, f.credit);
      return bytes;
    }
  }
}

/**
 * A RESPONSE that carries the whole (small) body: `JSON | 0x00 | body`. JSON
 * text never contains a NUL byte, so the first one ends the head.
 */
function responseWithBody(stream: number, head: unknown, body: Uint8Array): Uint8Array {
  if (body.length > MAX_DATA) throw new ProtocolError('TOO_LARGE', `RESPONSE body over ${MAX_DATA} bytes`);
  const text = encoder.encode(JSON.stringify(head));
  if (text.length > MAX_JSON) throw new ProtocolError('TOO_LARGE', `RESPONSE payload over ${MAX_JSON} bytes`);
  const { bytes } = frame('RESPONSE', stream, text.length + 1 + body.length);
  bytes.set(text, HEADER);
  bytes[HEADER + text.length] = 0;
  bytes.set(body, HEADER + text.length + 1);
  return bytes;
}

function parseJson(payload: Uint8Array, type: FrameName): unknown {
  if (payload.length > MAX_JSON) throw new ProtocolError('TOO_LARGE', `${type} payload over ${MAX_JSON} bytes`);
  try {
    return JSON.parse(decoder.decode(payload));
  } catch {
    throw new ProtocolError('BAD_PAYLOAD', `${type} payload is not UTF-8 JSON`);
  }
}

function exactLength(type: FrameName, payload: Uint8Array, length: number): void {
  if (payload.length !== length) {
    throw new ProtocolError('BAD_PAYLOAD', `${type} payload must be ${length} bytes, got ${payload.length}`);
  }
}

/** Decode one frame (one binary message of the tunnel socket), or throw ProtocolError. */
export function decode(message: Uint8Array): Frame {
  if (message.length < HEADER) {
    throw new ProtocolError('TRUNCATED', `frame of ${message.length} bytes is shorter than its ${HEADER}-byte header`);
  }
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const code = view.getUint8(0);
  const type = names.get(code);
  if (type === undefined) throw new ProtocolError('UNKNOWN_TYPE', `unknown frame type ${code}`);
  const stream = view.getUint32(1);
  const payload = message.subarray(HEADER);
  const control = controlNames.has(type);
  if (control !== (stream === CONTROL_STREAM)) {
    throw new ProtocolError('BAD_STREAM', `${type} frame on stream ${stream}`);
  }
  switch (type) {
    case 'HELLO':
      return { type, stream: 0, body: validate.hello(parseJson(payload, type)) };
    case 'PORT_SNAPSHOT':
      return { type, stream: 0, body: validate.portSnapshot(parseJson(payload, type)) };
    case 'PORTS':
      return { type, stream: 0, body: validate.portChanges(parseJson(payload, type)) };
    case 'EXPOSE':
      return { type, stream: 0, body: validate.expose(parseJson(payload, type)) };
    case 'UNEXPOSE':
      return { type, stream: 0, body: validate.unexpose(parseJson(payload, type)) };
    case 'OPEN':
      return { type, stream, body: validate.open(parseJson(payload, type)) };
    case 'RESPONSE': {
      const nul = payload.indexOf(0);
      if (nul === -1) return { type, stream, body: validate.responseHead(parseJson(payload, type)) };
      const final = payload.subarray(nul + 1);
      if (final.length > MAX_DATA) throw new ProtocolError('TOO_LARGE', `RESPONSE body over ${MAX_DATA} bytes`);
      return { type, stream, body: validate.responseHead(parseJson(payload.subarray(0, nul), type)), final };
    }
    case 'DATA': {
      if (payload.length < 1) throw new ProtocolError('TRUNCATED', 'DATA frame without its flags byte');
      if (payload.length - 1 > MAX_DATA) throw new ProtocolError('TOO_LARGE', `DATA over ${MAX_DATA} bytes`);
      const flags = payload[0] as number;
      if ((flags & ~FLAG_END) !== 0) throw new ProtocolError('BAD_PAYLOAD', `unknown DATA flags ${flags}`);
      const frame: Frame = { type, stream, data: payload.subarray(1) };
      if (flags & FLAG_END) frame.end = true;
      return frame;
    }
    case 'END':
      exactLength(type, payload, 0);
      return { type, stream };
    case 'RESET': {
      if (payload.length < 2) throw new ProtocolError('TRUNCATED', 'RESET frame without its reason code');
      let reason: string;
      try {
        reason = decoder.decode(payload.subarray(2));
      } catch {
        throw new ProtocolError('BAD_PAYLOAD', 'RESET reason is not UTF-8');
      }
      // A peer may send more than the 200 characters encode() does: kept to 200, since the reason goes into
      // error bodies, close reasons and logs.
      return { type, stream, code: view.getUint16(HEADER), reason: reason.slice(0, 200) };
    }
    case 'WINDOW':
      exactLength(type, payload, 4);
      return { type, stream, credit: view.getUint32(HEADER) };
  }
}
