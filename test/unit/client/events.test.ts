import { describe, expect, it } from 'vitest';
import { type AgentEvent, human } from '../../../client/events';

const port = (n: number): AgentEvent => ({
  event: 'port.open',
  port: n,
  url: `http://${n}-sig.s.localhost:8787/`,
  visibility: 'private',
  firstSeen: '2026-12-01T00:00:00.000Z',
  source: 'watched',
});
const login = (n: number): AgentEvent => ({
  event: 'port.login',
  port: n,
  url: `http://porthole.localhost:8787/s/s/login?porthole_login=${'x'.repeat(300)}`,
  expiresAt: '2026-12-01T00:10:00.000Z',
});

function lines(events: AgentEvent[]): string[] {
  const written: string[] = [];
  const sink = human((line) => written.push(line));
  for (const event of events) sink(event);
  return written;
}

describe('human (piped) output', () => {
  it('signs in once, with the dashboard link, and prints no login link per private port', () => {
    const out = lines([
      {
        event: 'ready',
        session: 's',
        gateway: 'http://porthole.localhost:8787',
        ports: [],
        dashboard: 'http://d/?porthole_login=t',
      },
      port(3000),
      login(3000),
      port(40123),
      login(40123),
    ]);
    expect(out.filter((l) => l.includes('porthole_login='))).toEqual([
      'porthole: sign in as the owner (dashboard and private ports; one-time link): http://d/?porthole_login=t\n',
    ]);
  });

  it('without a dashboard link, one short line naming the command, once', () => {
    const out = lines([
      { event: 'ready', session: 's', gateway: 'http://porthole.localhost:8787', ports: [] },
      port(3000),
      login(3000),
      port(3001),
      login(3001),
    ]);
    expect(out.filter((l) => l.includes('sign in'))).toEqual([
      'porthole: sign in as the owner: porthole login 3000 (or porthole dashboard)\n',
    ]);
    expect(out.some((l) => l.includes('porthole_login='))).toBe(false);
  });
});

describe('human (piped) output of ports', () => {
  it('prints a port once when only its process becomes known, again when another process serves it, and says when it leaves', () => {
    const lines: string[] = [];
    const sink = human((line) => lines.push(line));
    const view = { port: 40123, url: 'http://40123-sig.s.localhost:8787/', visibility: 'public' as const };
    const at = '2026-12-01T00:00:00.000Z';
    sink({ event: 'port.open', ...view, firstSeen: at, source: 'expose', label: 'fixture' });
    sink({ event: 'port.open', ...view, firstSeen: at, source: 'expose', label: 'fixture', process: 'python3' });
    sink({ event: 'port.open', ...view, firstSeen: at, source: 'expose', label: 'fixture', process: 'node' });
    sink({ event: 'port.close', port: 40123, process: 'node' });
    expect(lines).toEqual([
      'porthole: port 40123 "fixture" → http://40123-sig.s.localhost:8787/ (public)\n',
      'porthole: port 40123 (node) "fixture" → http://40123-sig.s.localhost:8787/ (public)\n',
      'porthole: port 40123 (node) is no longer exposed\n',
    ]);
  });
});
