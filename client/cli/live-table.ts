/**
 * On a terminal, a live table of ports that redraws as they come and go
 * (instead of log lines): port, process, label, visibility, URL, and the tunnel
 * state. log-update redraws it: it counts the rows a line takes once the
 * terminal wraps it, so a redraw erases exactly the previous drawing.
 * One-time links (dashboard, owner logins) and errors are printed once,
 * above the table, as plain lines: they are never redrawn, and a long link
 * stays one unbroken line for the terminal to wrap and copy.
 */
import { createLogUpdate } from 'log-update';
import type { AgentEvent, EventSink, PortView } from '../events';

export interface TableState {
  session: string | null;
  gateway: string;
  tunnel: string;
  ports: ReadonlyMap<number, PortView>;
}

/** The table as lines (no trailing newline): a status line, a blank line, then a header and a row per port, ascending. */
export function renderTable(state: TableState): string[] {
  const lines = [`porthole · session ${state.session ?? '…'} · ${state.gateway} · tunnel ${state.tunnel}`, ''];
  const rows = [...state.ports.values()].sort((a, b) => a.port - b.port);
  if (rows.length === 0) {
    lines.push('  no ports yet: start a server (e.g. python3 -m http.server 8000) and it appears here');
    return lines;
  }
  // A LABEL column only once some port has a label.
  const labels = rows.some((p) => p.label);
  const header = ['PORT', 'PROCESS', ...(labels ? ['LABEL'] : []), 'VISIBILITY', 'URL'];
  const cells = rows.map((p) => [
    String(p.port),
    p.process ?? '-',
    ...(labels ? [p.label ?? '-'] : []),
    p.visibility,
    p.url,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const format = (cols: string[]) =>
    `  ${cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`;
  lines.push(format(header), ...cells.map(format));
  return lines;
}

/** A terminal: where to write, its width in columns and height in rows (log-update assumes 80 × 24 when unknown). */
export type Terminal = Pick<NodeJS.WriteStream, 'write'> &
  Partial<Pick<NodeJS.WriteStream, 'columns' | 'rows' | 'isTTY' | 'on'>>;

/** An event sink that keeps the table drawn at the bottom of `out`. */
export function liveTable(out: Terminal, gateway: string): EventSink {
  const state = { session: null as string | null, gateway, tunnel: 'connecting', ports: new Map<number, PortView>() };
  // The cursor stays visible: hiding it would need restoring on every way the process can end.
  const frame = createLogUpdate(out as NodeJS.WriteStream, { showCursor: true });
  // Erase, then draw whole: log-update 7's line diff (its fast path) leaves stale rows when a row
  // in the middle goes away (fixed in 8.0, which needs Node 22); its erase counts wrapped rows right.
  const draw = () => {
    frame.clear();
    frame(renderTable(state).join('\n'));
  };
  /** A line printed once above the table (the table is cleared, the line written whole, the table drawn again). */
  const print = (line: string) => {
    frame.clear();
    out.write(`${line}\n`);
  };
  // A narrower or wider terminal re-wraps the rows: draw again at the new width.
  out.on?.('resize', draw);
  return (event: AgentEvent) => {
    switch (event.event) {
      case 'ready':
        state.session = event.session;
        if (event.dashboard) print(`porthole: dashboard (one-time link): ${event.dashboard}`);
        for (const p of event.ports) state.ports.set(p.port, p);
        break;
      case 'tunnel.up':
        state.session = event.session;
        state.tunnel = 'up';
        break;
      case 'tunnel.down':
        state.tunnel =
          event.retryInMs === null
            ? `down: ${event.reason}`
            : `down, retrying in ${(event.retryInMs / 1000).toFixed(1)} s (${event.reason})`;
        break;
      case 'port.open':
      case 'port.share': {
        const { event: _event, ...port } = event;
        state.ports.set(port.port, port);
        break;
      }
      case 'port.login':
        print(`porthole: port ${event.port} is yours only; open it in a browser with ${event.url}`);
        break;
      case 'port.close':
        state.ports.delete(event.port);
        break;
      case 'error':
        print(`porthole: error: ${event.message}`);
        break;
    }
    draw();
  };
}
