/**
 * What the client reports, as typed events. The CLI prints them as human
 * lines, a live table on a terminal, or NDJSON with --json (one object per
 * line, `event` first).
 */
import type { Visibility } from '../protocol';
import type { PortSource } from './ports/exposed';

/** A port as the gateway announced it. */
export interface PortView {
  port: number;
  /** The port's public URL, e.g. `http://3000-<session>-<sig>.porthole.localhost:8787/`. */
  url: string;
  /** Name of the process listening on it, when the client could read it. */
  process?: string;
  visibility: Visibility;
  /** When the gateway first saw the port open (ISO 8601). */
  firstSeen: string;
  /** What the user calls the port (`porthole expose --label`, the settings), when set. */
  label?: string;
  /** What exposed it: the watcher, `porthole expose` (or the owner), a --port flag, the settings. */
  source: PortSource;
  /** Why the visibility this client announced was not applied (v8: `org` on a session without an org policy is private). */
  refused?: string;
}

/** A port as `porthole ports --json` and the control API show it: also whether something listens on it now. */
export interface PortStatus extends PortView {
  /** Whether something accepts connections on it now (a connect to 127.0.0.1, then [::1]). */
  listening: boolean;
}

export type AgentEvent =
  /** `dashboard`: a one-time link to the session's dashboard, when the gateway gave one. */
  | { event: 'ready'; session: string; gateway: string; ports: PortView[]; dashboard?: string }
  | { event: 'tunnel.up'; session: string }
  /** `retryInMs`: milliseconds until the next attempt; null when the client gives up (the run ends). */
  | { event: 'tunnel.down'; reason: string; retryInMs: number | null }
  | ({ event: 'port.open' } & PortView)
  /** The owner changed who may open a port. */
  | ({ event: 'port.share' } & PortView)
  /** A one-time owner link for a private or link port, printed once per port and run. */
  | { event: 'port.login'; port: number; url: string; expiresAt: string }
  | { event: 'port.close'; port: number; process?: string }
  /**
   * The repository's settings files were read (at start when there are any, then after each change):
   * `files` in force (relative to the working folder), `changes` made (e.g. `expose 3000 (App)`), `warnings` (entries skipped).
   */
  | { event: 'settings.reloaded'; files: string[]; changes: string[]; warnings: string[] }
  /** A settings file has problems (each `<file>:<line>:<column>: …`): it is ignored, its last good settings stay in force. */
  | { event: 'settings.error'; file: string; problems: string[] }
  /** Something the user should know: the error that ended the run, or a part that cannot work (e.g. an unreadable /proc). */
  | { event: 'error'; message: string };

/** Receives each event as it happens; must not throw. */
export type EventSink = (event: AgentEvent) => void;

/** One JSON object per event and line (NDJSON), `event` first, for --json. */
export function ndjson(write: (line: string) => void): EventSink {
  return (event) => write(`${JSON.stringify(event)}\n`);
}

/**
 * One `porthole: …` line per event, for a pipe or a log file. Signing in is said once per run, not
 * per port (a one-time link is some 330 characters): the dashboard's one-time link, which also opens
 * every private port of the session in that browser, else the command that prints a port's link.
 */
export function human(write: (line: string) => void): EventSink {
  let signInSaid = false;
  /** Per port, what was last printed: a port.open that only names the process now known adds no line. */
  const printed = new Map<number, { key: string; process: string | undefined }>();
  return (event) => {
    switch (event.event) {
      case 'ready':
        write(`porthole: session ${event.session} on ${event.gateway}\n`);
        if (event.dashboard) {
          write(`porthole: sign in as the owner (dashboard and private ports; one-time link): ${event.dashboard}\n`);
          signInSaid = true;
        }
        break;
      case 'tunnel.up':
        write('porthole: tunnel up\n');
        break;
      case 'tunnel.down': {
        const retry = event.retryInMs === null ? '' : `; reconnecting in ${(event.retryInMs / 1000).toFixed(1)} s`;
        write(`porthole: tunnel down (${event.reason})${retry}\n`);
        break;
      }
      case 'port.open': {
        const key = `${event.url} ${event.label ?? ''} ${event.visibility}`;
        const last = printed.get(event.port);
        const known = last?.key === key && (last.process === undefined || last.process === event.process);
        printed.set(event.port, { key, process: event.process });
        if (known) break;
        write(
          `porthole: port ${event.port}${event.process ? ` (${event.process})` : ''}${event.label ? ` "${event.label}"` : ''} → ${event.url} (${event.visibility})\n`,
        );
        break;
      }
      case 'port.login':
        if (!signInSaid)
          write(`porthole: sign in as the owner: porthole login ${event.port} (or porthole dashboard)\n`);
        signInSaid = true;
        break;
      case 'port.share':
        write(`porthole: port ${event.port} is now ${event.visibility}\n`);
        break;
      case 'port.close':
        printed.delete(event.port);
        write(`porthole: port ${event.port}${event.process ? ` (${event.process})` : ''} is no longer exposed\n`);
        break;
      case 'error':
        write(`porthole: error: ${event.message}\n`);
        break;
      case 'settings.reloaded':
      case 'settings.error':
        for (const line of settingsLines(event)) write(`${line}\n`);
    }
  };
}

/** A settings event as `porthole: …` lines (shared by the plain output and the live table). */
export function settingsLines(event: AgentEvent): string[] {
  if (event.event === 'settings.reloaded') {
    const changes = event.changes.length > 0 ? ` (${event.changes.join(', ')})` : '';
    const files = event.files.length > 0 ? event.files.join(', ') : 'no file';
    return [`porthole: settings from ${files}${changes}`, ...event.warnings.map((w) => `porthole: settings: ${w}`)];
  }
  if (event.event === 'settings.error') {
    return [
      ...event.problems.map((problem) => `porthole: settings: ${problem}`),
      `porthole: settings: ${event.file} ignored until fixed (its last good settings stay in force)`,
    ];
  }
  return [];
}
