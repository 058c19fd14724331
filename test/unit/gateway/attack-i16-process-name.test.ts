/**
 * ATTACK (issue 16): a client announces a port with a process name of its choosing (HELLO, PORTS).
 * The gateway keeps it in the port table and shows it to the owner (GET /ports, the dashboard), so
 * an untrusted client must not store a quarter megabyte per port, nor terminal escapes for a tool
 * on the owner's machine that prints the list, nor text direction controls.
 */
import { describe, expect, it } from 'vitest';
import { PortTable, type PortStorage } from '../../../gateway/session/port-table';
import { MAX_PROCESS_NAME } from '../../../protocol/process-name';
import { hello } from '../../../protocol/validate';

function memory(): PortStorage {
  const map = new Map<string, unknown>();
  return {
    async get<T>(key: string) {
      return structuredClone(map.get(key)) as T | undefined;
    },
    async put<T>(key: string, value: T) {
      map.set(key, structuredClone(value));
    },
  };
}

describe('ATTACK: process names from an untrusted client', () => {
  it('are kept without escapes or direction controls, and at most 64 characters', async () => {
    const table = new PortTable(memory());
    const body = hello({
      ports: [
        { port: 3000, process: '\u001b]0;owned\u0007\u001b[2Jnode\r\n' },
        { port: 3001, process: 'x'.repeat(200_000) },
        { port: 3002, process: 'vim\u202Egpj.exe' },
        { port: 3003, process: '\u001b\u0007' },
        { port: 3004, process: 'python3.12' },
      ],
    });
    await table.reconcile(body.ports, 1024);
    const stored = new Map((await table.list()).map((p) => [p.port, p.process]));
    expect(stored.get(3000)).toBe(']0;owned[2Jnode');
    expect(stored.get(3001)).toHaveLength(MAX_PROCESS_NAME);
    expect(stored.get(3002)).toBe('vimgpj.exe');
    expect(stored.get(3003)).toBeUndefined();
    expect(stored.get(3004)).toBe('python3.12');
  });
});
