/**
 * On a terminal, a live table of ports that redraws as they come and go
 * (instead of log lines): port, process, visibility, URL, and the tunnel state.
 */
import type { AgentEvent, EventSink, PortView } from '../events';

interface TableState {
  session: string | null;
  gateway: string;
  tunnel: string;
  ports: Map<number, PortView>;
  /** One-time owner links, by port, shown under the table until the port closes. */
  logins?: Map<number, string>;
  /** The one-time dashboard link printed at start. */
  dashboard?: string;
}

export function renderTable(state: TableState): string[] {
  const lines = [`porthole · session ${state.session ?? '…'} · ${state.gateway} · tunnel ${state.tunnel}`];
  if (state.dashboard) lines.push(`dashboard (one-time link): ${state.dashboard}`);
  lines.push('');
  const rows = [...state.ports.values()].sort((a, b) => a.port - b.port);
  if (rows.length === 0) {
    lines.push('  no ports yet: start a server (e.g. python3 -m http.server 8000) and it appears here');
    return lines;
  }
  const header = ['PORT', 'PROCESS', 'VISIBILITY', 'URL'];
  const cells = rows.map((p) => [String(p.port), p.process ?? '-', p.visibility, p.url]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const format = (cols: string[]) =>
    `  ${cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`;
  lines.push(format(header), ...cells.map(format));
  const logins = [...(state.logins ?? new Map<number, string>())].filter(([port]) => state.ports.has(port));
  if (logins.length > 0) {
    lines.push('', '  Private ports open for you in a browser through a one-time link:');
    for (const [port, url] of logins.sort((a, b) => a[0] - b[0])) lines.push(`  ${port}  ${url}`);
  }
  return lines;
}

export function liveTable(out: { write(text: string): unknown }, gateway: string): EventSink {
  const state: TableState = { session: null, gateway, tunnel: 'connecting', ports: new Map(), logins: new Map() };
  let drawn = 0;
  const draw = () => {
    const lines = renderTable(state);
    // Move to the start of the previous drawing and clear it, then draw again.
    out.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return (event: AgentEvent) => {
    switch (event.event) {
      case 'ready':
        state.session = event.session;
        state.dashboard = event.dashboard;
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
        state.logins?.set(event.port, event.url);
        break;
      case 'port.close':
        state.ports.delete(event.port);
        state.logins?.delete(event.port);
        break;
      case 'error':
        state.tunnel = `error: ${event.message}`;
        break;
    }
    draw();
  };
}
