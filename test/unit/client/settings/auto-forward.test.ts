import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../client/events';
import { AutoForward } from '../../../../client/settings/auto-forward';
import { portRules } from '../../../../client/settings/rules';
import { emptySettings, type OnAutoForward } from '../../../../client/settings/types';

function setup(modes: Record<number, OnAutoForward>, options: { allowed?: boolean; opener?: boolean } = {}) {
  const opened: string[] = [];
  const said: string[] = [];
  const rules = portRules({
    ...emptySettings(),
    portsAttributes: Object.entries(modes).map(([port, onAutoForward]) => ({
      match: { kind: 'port' as const, port: Number(port) },
      attributes: { onAutoForward },
    })),
  });
  const auto = new AutoForward({
    rules: () => rules,
    allowed: options.allowed ?? true,
    opener: options.opener === false ? null : { command: 'xdg-open', args: [] },
    launch: (_opener, url) => opened.push(url),
    say: (line) => said.push(line),
  });
  return { auto, opened, said };
}

/** A port.open event (cast: its PortView gains fields as the data model grows). */
const open = (port: number, visibility: 'private' | 'public' = 'private'): AgentEvent =>
  ({
    event: 'port.open',
    port,
    url: `http://${port}.example/`,
    visibility,
    firstSeen: '2026-12-01T00:00:00Z',
    source: 'watched',
  }) as unknown as AgentEvent;
const login = (port: number): AgentEvent => ({
  event: 'port.login',
  port,
  url: `http://${port}.example/?login`,
  expiresAt: '',
});

describe('AutoForward', () => {
  it('opens a public port at once, a private one with its one-time login link', () => {
    const { auto, opened } = setup({ 3000: 'openBrowser', 4000: 'openBrowser' });
    auto.onEvent(open(3000, 'public'));
    auto.onEvent(open(4000));
    expect(opened).toEqual(['http://3000.example/']);
    auto.onEvent(login(4000));
    expect(opened).toEqual(['http://3000.example/', 'http://4000.example/?login']);
  });

  it('openBrowser opens each time the port opens (the plain URL once logged in), openBrowserOnce only the first', () => {
    const { auto, opened } = setup({ 3000: 'openBrowser', 4000: 'openBrowserOnce' });
    for (const port of [3000, 4000]) {
      auto.onEvent(open(port));
      auto.onEvent(login(port));
      auto.onEvent({ event: 'port.close', port });
      auto.onEvent(open(port));
    }
    expect(opened).toEqual(['http://3000.example/?login', 'http://3000.example/', 'http://4000.example/?login']);
  });

  it('does not open again for a port.open that only relabels an open port', () => {
    const { auto, opened } = setup({ 3000: 'openBrowser' });
    auto.onEvent(open(3000, 'public'));
    auto.onEvent({ ...open(3000, 'public'), label: 'Web' } as unknown as AgentEvent);
    expect(opened).toEqual(['http://3000.example/']);
  });

  it('opens nothing for notify, silent and ignore, nor when opening is not allowed', () => {
    const { auto, opened } = setup({ 3000: 'notify', 3001: 'silent', 3002: 'ignore' });
    for (const port of [3000, 3001, 3002, 3003]) auto.onEvent(open(port, 'public'));
    const off = setup({ 3000: 'openBrowser' }, { allowed: false });
    off.auto.onEvent(open(3000, 'public'));
    expect([...opened, ...off.opened]).toEqual([]);
  });

  it('says once that no browser can be opened', () => {
    const { auto, said } = setup({ 3000: 'openBrowser', 4000: 'openPreview' }, { opener: false });
    auto.onEvent(open(3000, 'public'));
    auto.onEvent(open(4000, 'public'));
    expect(said).toEqual([
      'port 3000 asks to open a browser (onAutoForward), but none can be opened here: set $BROWSER or install xdg-open',
    ]);
  });

  it('prints no open or login line for a silent port', () => {
    const { auto } = setup({ 3001: 'silent' });
    expect(auto.shouldPrint(open(3000))).toBe(true);
    expect(auto.shouldPrint(open(3001))).toBe(false);
    expect(auto.shouldPrint(login(3001))).toBe(false);
    expect(auto.shouldPrint({ event: 'port.close', port: 3001 })).toBe(true);
  });
});
