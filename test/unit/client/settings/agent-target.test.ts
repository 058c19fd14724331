import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../client/events';
import { agentRules, agentTarget, type ExposingAgent, PreserveHost } from '../../../../client/settings/agent-target';
import { portRules } from '../../../../client/settings/rules';
import { emptySettings } from '../../../../client/settings/types';

describe('PreserveHost', () => {
  it('joins the flags and the settings, either of which may say all', () => {
    const preserve = new PreserveHost([3000]);
    expect([preserve.has(3000), preserve.has(4000)]).toEqual([true, false]);
    preserve.set([4000]);
    expect([preserve.has(3000), preserve.has(4000), preserve.has(5000)]).toEqual([true, true, false]);
    preserve.set('all');
    expect(preserve.has(5000)).toBe(true);
    expect(new PreserveHost('all').has(1)).toBe(true);
  });
});

describe('agentRules', () => {
  it('tells the agent label, visibility and ignore, and nothing for a port the settings do not name', () => {
    const rules = agentRules(
      portRules({
        ...emptySettings(),
        portsAttributes: [
          { match: { kind: 'port', port: 3000 }, attributes: { label: 'App', onAutoForward: 'silent' } },
          { match: { kind: 'port', port: 3001 }, attributes: { onAutoForward: 'ignore' } },
        ],
        visibility: [{ match: { kind: 'port', port: 3000 }, visibility: 'public' }],
      }),
    );
    expect([rules(3000), rules(3001), rules(3002)]).toEqual([
      { label: 'App', visibility: 'public' },
      { ignore: true },
      undefined,
    ]);
  });
});

describe('agentTarget', () => {
  it('exposes with source settings, unexposes only what the settings exposed, and reports a refusal', () => {
    const calls: unknown[] = [];
    const agent: ExposingAgent = {
      expose: (port, options) => {
        if (port === 8787) throw new Error("the local gateway's own port cannot be exposed");
        calls.push(['expose', port, options]);
      },
      unexpose: (port, options) => calls.push(['unexpose', port, options]) > 0,
      setPortRules: (rules) => calls.push(['rules', rules?.(1)]),
      publish: (event: AgentEvent) => calls.push(event),
    };
    const target = agentTarget(agent, portRules(emptySettings()), new PreserveHost([]));
    target.expose(3000, { label: 'App' });
    target.expose(8787, {});
    target.unexpose(3000);
    target.rulesChanged();
    expect(calls).toEqual([
      ['expose', 3000, { label: 'App', source: 'settings' }],
      { event: 'error', message: "settings: forwardPorts 8787: the local gateway's own port cannot be exposed" },
      ['unexpose', 3000, { source: 'settings' }],
      ['rules', undefined],
    ]);
  });
});
