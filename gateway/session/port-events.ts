/**
 * The port events of a session's event feed (docs/events.md), derived by comparing the port list
 * (views.ts SessionViews.ports, as GET /ports gives it) before and after a change. Pure: no storage,
 * no clock.
 */
import type { ApiPort, SessionEvent } from '../../protocol';

/** A port event: what `diffPorts` yields. */
export type PortEvent = Extract<SessionEvent, { type: 'port.opened' | 'port.closed' | 'port.visibility' }>;

/**
 * The events that take a reader of `before` to `after` (each a port list), by port number, each port's
 * events in this order: `port.closed` (it was listening and is not now), `port.opened` (it is listening
 * and was not), `port.visibility` (its effective visibility changed, listening or not, and it did not
 * just open: an opened port's data already says who may open it; nor just close). A port the owner set a
 * visibility for, that never listened, is announced by `port.visibility` with `listening: false`.
 * Changes of process, label or URL alone yield nothing.
 */
export function diffPorts(before: readonly ApiPort[], after: readonly ApiPort[]): PortEvent[] {
  const was = new Map(before.map((p) => [p.port, p]));
  const now = new Map(after.map((p) => [p.port, p]));
  const ports = [...new Set([...was.keys(), ...now.keys()])].sort((a, b) => a - b);
  const events: PortEvent[] = [];
  for (const port of ports) {
    const old = was.get(port);
    const next = now.get(port);
    const wasListening = old?.listening === true;
    const isListening = next?.listening === true;
    if (wasListening && !isListening) events.push({ type: 'port.closed', data: { port } });
    if (!wasListening && isListening && next) events.push({ type: 'port.opened', data: next });
    else if (next && old?.visibility !== next.visibility && (isListening || !wasListening)) {
      events.push({ type: 'port.visibility', data: next });
    }
  }
  return events;
}
