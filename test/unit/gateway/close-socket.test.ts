import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeSocket } from '../../../gateway/session/close-socket';

/** The few WebSocket members closeSocket reads, recording its close() calls. */
function fakeSocket(readyState: number, fail = false) {
  const calls: unknown[][] = [];
  const socket = {
    readyState,
    close: (...args: unknown[]) => {
      calls.push(args);
      if (fail) throw new TypeError('WebSocket already closed');
    },
  };
  return { socket: socket as unknown as WebSocket, calls };
}

describe('closeSocket', () => {
  // Node 20 has no global WebSocket; the runtime's constants are the standard ones.
  beforeEach(() => vi.stubGlobal('WebSocket', { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 }));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('closes an open socket with the code and reason', () => {
    const { socket, calls } = fakeSocket(1);
    closeSocket(socket, 4001, 'bye');
    expect(calls).toEqual([[4001, 'bye']]);
  });

  it('sends no code (and so no reason) when the code is undefined: an echoed 1005 throws in workerd', () => {
    const { socket, calls } = fakeSocket(1);
    closeSocket(socket, undefined, 'ignored');
    expect(calls).toEqual([[]]);
  });

  it('cuts the reason to 123 UTF-8 bytes at a character boundary', () => {
    const { socket, calls } = fakeSocket(1);
    closeSocket(socket, 1011, 'é'.repeat(100));
    expect(calls).toEqual([[1011, 'é'.repeat(61)]]);
  });

  it('leaves a socket that is already closed alone, without a log line', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, calls } = fakeSocket(3);
    closeSocket(socket, 1000, 'closed');
    expect(calls).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs a close that throws instead of throwing it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket } = fakeSocket(2, true);
    expect(() => closeSocket(socket, 1000, 'closed')).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('1000: closed');
  });
});
