/**
 * The gateway's port table as the client last heard it (each port snapshot carries
 * the whole table), and the `port.*` events that tell one table from the
 * next. Pure.
 */
import type { AgentEvent, EventSink, PortView } from '../events';

/** Port number → the gateway's view of it. */
export type PortTable = ReadonlyMap<number, PortView>;

/** The `port.close` event for a port, with its process name when known. */
export function closeEvent(view: PortView): AgentEvent {
  return { event: 'port.close', port: view.port, ...(view.process ? { process: view.process } : {}) };
}

/**
 * What changed from `before` to `next`: first `port.close` for every port gone,
 * then, in the order of `next`, `port.open` for a port that is new or now
 * served by another URL or process or relabelled, and `port.share` for one whose visibility
 * alone changed. An unchanged port yields nothing.
 */
export function diffPortTables(before: PortTable, next: PortTable): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const [port, view] of before) if (!next.has(port)) events.push(closeEvent(view));
  for (const [port, view] of next) {
    const old = before.get(port);
    if (old && old.url === view.url && old.process === view.process && old.label === view.label) {
      if (old.visibility !== view.visibility) events.push({ event: 'port.share', ...view });
      continue;
    }
    events.push({ event: 'port.open', ...view });
  }
  return events;
}

/**
 * The view of one port once `matches` accepts it: at once if `port.view()` does, else at the first
 * `port.open` or `port.share` after which it does; null after `timeoutMs` (default: no limit).
 */
export function whenAnnounced(
  port: { view(): PortView | undefined; subscribe(listener: EventSink): () => void },
  matches: (view: PortView) => boolean,
  timeoutMs?: number,
): Promise<PortView | null> {
  const known = port.view();
  if (known && matches(known)) return Promise.resolve(known);
  return new Promise((resolve) => {
    const finish = (view: PortView | null) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(view);
    };
    const unsubscribe = port.subscribe((event) => {
      if (event.event !== 'port.open' && event.event !== 'port.share') return;
      const view = port.view();
      if (view && matches(view)) finish(view);
    });
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(null), timeoutMs);
  });
}
