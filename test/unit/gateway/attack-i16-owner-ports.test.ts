/**
 * ATTACK (issue 16): the room check of the owner's EXPOSE (session/owner-ports.ts): new ports asked
 * for and not announced yet count against MAX_PORTS for PENDING_EXPOSE_MS, so a burst cannot
 * overflow the table before the client's PORTS arrive; a port already held is never refused for room.
 */
import { describe, expect, it } from 'vitest';
import type { ControlFrame } from '../../../protocol';
import { OwnerPortRequests, PENDING_EXPOSE_MS, type PortRoom } from '../../../gateway/session/owner-ports';

function table(ports: number[]): PortRoom & { ports: Set<number> } {
  const held = new Set(ports);
  return { ports: held, get: async (port) => (held.has(port) ? { port } : undefined), size: async () => held.size };
}

describe("ATTACK: the owner's EXPOSE past MAX_PORTS", () => {
  it('counts new ports asked for until announced or PENDING_EXPOSE_MS old', async () => {
    let now = 0;
    const sent: ControlFrame[] = [];
    const requests = new OwnerPortRequests(
      () => ({ mux: { control: (f: ControlFrame) => void sent.push(f) } }),
      () => now,
    );
    const t = table([1]);
    expect(await requests.expose({ port: 2 }, t, 3)).toBe('sent');
    expect(await requests.expose({ port: 2 }, t, 3)).toBe('sent'); // the same pending port again
    expect(await requests.expose({ port: 3 }, t, 3)).toBe('sent');
    expect(await requests.expose({ port: 4 }, t, 3)).toBe('too_many_ports');
    expect(await requests.expose({ port: 1, label: 'held' }, t, 3)).toBe('sent');
    // Announced: no longer pending, but now in the table (still full).
    t.ports.add(2);
    expect(await requests.expose({ port: 4 }, t, 3)).toBe('too_many_ports');
    // Port 3 was never announced: after PENDING_EXPOSE_MS it no longer holds room.
    now += PENDING_EXPOSE_MS;
    expect(await requests.expose({ port: 4 }, t, 3)).toBe('sent');
    expect(sent.filter((f) => f.type === 'EXPOSE').map((f) => (f.body as { port: number }).port)).toEqual([
      2, 2, 3, 1, 4,
    ]);
  });
});
