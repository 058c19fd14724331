import { describe, expect, it } from 'vitest';
import { liveTable, renderTable } from '../../../../client/cli/live-table';
import type { PortView } from '../../../../client/events';
import { Terminal } from './terminal';

const session = 'abcdefghijklmnop';
const gateway = 'http://porthole.localhost:8787';
const url = (port: number) => `http://${port}-${session}-qrstuvwxyz234567.porthole.localhost:8787`;
const view = (port: number, process: string, visibility: PortView['visibility']): PortView => ({
  port,
  url: url(port),
  process,
  visibility,
  firstSeen: '2026-11-30T12:00:00.000Z',
  source: 'watched',
});
/** A one-time link far wider than the terminal. */
const dashboard = `${gateway}/dashboard?ticket=${'d'.repeat(140)}`;
const login = `${url(3000)}/__porthole/login?ticket=${'x'.repeat(160)}`;

/** How a terminal of `columns` shows one long line: cut every `columns` characters. */
function wrapped(line: string, columns = 80): string[] {
  const rows: string[] = [];
  for (let i = 0; i < line.length; i += columns) rows.push(line.slice(i, i + columns));
  return rows.length > 0 ? rows : [''];
}

describe('renderTable', () => {
  it('lists ports ascending under a status line, URL last', () => {
    const ports = new Map([
      [5173, view(5173, 'vite', 'public')],
      [3000, view(3000, 'node', 'private')],
    ]);
    expect(renderTable({ session, gateway, tunnel: 'up', ports })).toEqual([
      `porthole · session ${session} · ${gateway} · tunnel up`,
      '',
      '  PORT  PROCESS  VISIBILITY  URL',
      `  3000  node     private     ${url(3000)}`,
      `  5173  vite     public      ${url(5173)}`,
    ]);
  });

  it('adds a LABEL column once a port has a label', () => {
    const ports = new Map([
      [3000, { ...view(3000, 'node', 'private'), label: 'Web app' }],
      [5173, view(5173, 'vite', 'public')],
    ]);
    expect(renderTable({ session, gateway, tunnel: 'up', ports })).toEqual([
      `porthole · session ${session} · ${gateway} · tunnel up`,
      '',
      '  PORT  PROCESS  LABEL    VISIBILITY  URL',
      `  3000  node     Web app  private     ${url(3000)}`,
      `  5173  vite     -        public      ${url(5173)}`,
    ]);
  });

  it('says how to get a port when there is none', () => {
    expect(renderTable({ session: null, gateway, tunnel: 'connecting', ports: new Map() })).toEqual([
      `porthole · session … · ${gateway} · tunnel connecting`,
      '',
      '  no ports yet: start a server (e.g. python3 -m http.server 8000) and it appears here',
    ]);
  });
});

describe('liveTable on an 80-column terminal', () => {
  it('redraws rows that wrap without leaving stale copies, and prints one-time links once, above', () => {
    const terminal = new Terminal(80);
    const sink = liveTable(terminal, gateway);
    sink({ event: 'ready', session, gateway, ports: [], dashboard });
    sink({ event: 'tunnel.up', session });
    sink({ event: 'port.open', ...view(3000, 'node', 'private') });
    sink({ event: 'port.login', port: 3000, url: login, expiresAt: '2026-11-30T12:10:00.000Z' });
    sink({ event: 'port.share', ...view(3000, 'node', 'public') });
    sink({ event: 'port.open', ...view(5173, 'vite', 'public') });
    sink({ event: 'port.close', port: 3000, process: 'node' });
    sink({ event: 'tunnel.down', reason: 'the tunnel closed: code 1006', retryInMs: 500 });

    expect(terminal.screen()).toEqual([
      ...wrapped(`porthole: dashboard (one-time link): ${dashboard}`),
      ...wrapped(`porthole: port 3000 is yours only; open it in a browser with ${login}`),
      ...wrapped(
        `porthole · session ${session} · ${gateway} · tunnel down, retrying in 0.5 s (the tunnel closed: code 1006)`,
      ),
      '',
      '  PORT  PROCESS  VISIBILITY  URL',
      ...wrapped(`  5173  vite     public      ${url(5173)}`),
    ]);
    // Each link was written once, whole (never cut by an inserted line break, never redrawn).
    expect(terminal.written.split(dashboard)).toHaveLength(2);
    expect(terminal.written.split(login)).toHaveLength(2);
  });

  it('prints errors as lines above the table, leaving the tunnel state alone', () => {
    const terminal = new Terminal(80);
    const sink = liveTable(terminal, gateway);
    sink({ event: 'ready', session, gateway, ports: [] });
    sink({ event: 'tunnel.up', session });
    sink({ event: 'error', message: 'port watcher: cannot list listening ports: EACCES' });
    expect(terminal.screen()).toEqual([
      'porthole: error: port watcher: cannot list listening ports: EACCES',
      `porthole · session ${session} · ${gateway} · tunnel up`,
      '',
      ...wrapped('  no ports yet: start a server (e.g. python3 -m http.server 8000) and it appears here'),
    ]);
  });
});
