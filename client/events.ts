/**
 * What the client reports, as typed events. The CLI prints them as human
 * lines, a live table on a terminal, or NDJSON with --json (one object per
 * line, `event` first).
 */
import type { Visibility } from '../protocol';

export interface PortView {
  port: number;
  url: string;
  process?: string;
  visibility: Visibility;
  firstSeen: string;
}

export type AgentEvent =
  /** `dashboard`: a one-time link to the session's dashboard, when the gateway gave one. */
  | { event: 'ready'; session: string; gateway: string; ports: PortView[]; dashboard?: string }
  | { event: 'tunnel.up'; session: string }
  | { event: 'tunnel.down'; reason: string; retryInMs: number | null }
  | ({ event: 'port.open' } & PortView)
  /** The owner changed who may open a port. */
  | ({ event: 'port.share' } & PortView)
  /** A one-time owner link for a private or link port, printed once per port and run. */
  | { event: 'port.login'; port: number; url: string; expiresAt: string }
  | { event: 'port.close'; port: number; process?: string }
  | { event: 'error'; message: string };

export type EventSink = (event: AgentEvent) => void;

export function ndjson(write: (line: string) => void): EventSink {
  return (event) => write(`${JSON.stringify(event)}\n`);
}

export function human(write: (line: string) => void): EventSink {
  return (event) => {
    switch (event.event) {
      case 'ready':
        write(`porthole: session ${event.session} on ${event.gateway}\n`);
        if (event.dashboard) write(`porthole: dashboard (one-time link): ${event.dashboard}\n`);
        break;
      case 'tunnel.up':
        write('porthole: tunnel up\n');
        break;
      case 'tunnel.down': {
        const retry = event.retryInMs === null ? '' : `; reconnecting in ${(event.retryInMs / 1000).toFixed(1)} s`;
        write(`porthole: tunnel down (${event.reason})${retry}\n`);
        break;
      }
      case 'port.open':
        write(
          `porthole: port ${event.port}${event.process ? ` (${event.process})` : ''} → ${event.url} (${event.visibility})\n`,
        );
        break;
      case 'port.login':
        write(`porthole: port ${event.port} is yours only; open it in a browser with ${event.url}\n`);
        break;
      case 'port.share':
        write(`porthole: port ${event.port} is now ${event.visibility}\n`);
        break;
      case 'port.close':
        write(`porthole: port ${event.port}${event.process ? ` (${event.process})` : ''} closed\n`);
        break;
      case 'error':
        write(`porthole: error: ${event.message}\n`);
        break;
    }
  };
}
