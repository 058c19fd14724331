/**
 * The settings acting on a running agent: forwardPorts through its runtime
 * expose (source 'settings'), portsAttributes and porthole.json through its
 * port rules, preserveHost through a switch the origin reads per request.
 */
import type { Agent } from '../agent';
import type { PortRule } from '../ports/exposed';
import type { PortRulesOf } from './rules';
import type { SettingsTarget } from './runtime';

/** The part of the agent the settings use: its runtime expose, port rules and event stream. */
export type ExposingAgent = Pick<Agent, 'expose' | 'unexpose' | 'setPortRules' | 'publish'>;

/** The ports whose origin sees the public Host: the flags' and the settings', read on every request. */
export class PreserveHost {
  readonly #flags: number[] | 'all';
  #settings: number[] | 'all' = [];

  constructor(flags: number[] | 'all') {
    this.#flags = flags;
  }

  set(ports: number[] | 'all'): void {
    this.#settings = ports;
  }

  readonly has = (port: number): boolean =>
    this.#flags === 'all' || this.#settings === 'all' || this.#flags.includes(port) || this.#settings.includes(port);
}

/** The agent rules of the settings' rules: label, visibility and ignore (onAutoForward and protocol stay here). */
export function agentRules(rules: PortRulesOf): PortRule {
  return (port) => {
    const { label, visibility, ignore } = rules(port);
    if (label === undefined && visibility === undefined && !ignore) return undefined;
    return {
      ...(label !== undefined ? { label } : {}),
      ...(visibility ? { visibility } : {}),
      ...(ignore ? { ignore } : {}),
    };
  };
}

/** A SettingsTarget over an agent; a port the agent refuses to expose (its own gateway's) is reported, not thrown. */
export function agentTarget(agent: ExposingAgent, rules: PortRulesOf, preserve: PreserveHost): SettingsTarget {
  return {
    expose(port, options) {
      try {
        agent.expose(port, { ...options, source: 'settings' });
      } catch (error) {
        agent.publish({ event: 'error', message: `settings: forwardPorts ${port}: ${(error as Error).message}` });
      }
    },
    unexpose(port) {
      agent.unexpose(port, { source: 'settings' });
    },
    rulesChanged() {
      agent.setPortRules(agentRules(rules));
    },
    setPreserveHost(ports) {
      preserve.set(ports);
    },
  };
}
