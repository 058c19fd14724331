/**
 * The gateway's port table as the client last heard it (each port snapshot carries
 * the whole table), and the `port.*` events that tell one table from the
 * next. Pure.
 */
import type { AgentEvent, PortView } from '../events';

/** Port number → the gateway's view of it. */
export type PortTable = ReadonlyMap<number, PortView>;

/** The `port.close` event for a port, with its process name when known. */
export function closeEvent(view: PortView): AgentEvent {
  return { event: 'port.close', port: view.port, ...(view.process ? { process: view.process } : {}) };
}

/**
 * What changed from `before` to `next`: first `port.close` for every port gone,
 * then, in the order of `next`, `port.open` for a port that is new or now
 * served by another URL or process, and `port.share` for one whose visibility
 * alone changed. An unchanged port yields nothing.
 */
export function diffPortTables(before: PortTable, next: PortTable): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const [port, view] of before) if (!next.has(port)) events.push(closeEvent(view));
  for (const [port, view] of next) {
    const old = before.get(port);
    if (old && old.url === view.url && old.process === view.process) {
      if (old.visibility !== view.visibility) events.push({ event: 'port.share', ...view });
      continue;
    }
    events.push({ event: 'port.open', ...view });
  }
  return events;
}
