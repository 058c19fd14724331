/**
 * The settings acting on a running agent: forwardPorts through its runtime
 * expose (source 'settings'), portsAttributes and porthole.json through its
 * port rules, preserveHost through a switch the origin reads per request.
 */
import type { Visibility } from '../../protocol';
import type { AgentEvent } from '../events';
import type { PortRulesOf } from './rules';
import type { SettingsTarget } from './runtime';

/** What a port rule tells the agent of a port (label and visibility of watched ports; ignore keeps one out). */
export interface AgentPortRule {
  label?: string;
  visibility?: Visibility;
  ignore?: boolean;
}

/** The agent's runtime expose API, as the settings use it. */
export interface ExposingAgent {
  expose(port: number, options: { label?: string; visibility?: Visibility; source: 'settings' }): void;
  unexpose(port: number, options?: { source?: 'settings' }): boolean;
  setPortRules(rules: ((port: number) => AgentPortRule | undefined) | undefined): void;
  publish(event: AgentEvent): void;
}

/** An agent that may lack the runtime expose API (a client built before it): only `publish` is sure. */
export type SettingsAgent = Pick<ExposingAgent, 'publish'> & Partial<ExposingAgent>;

/** Whether the agent has the runtime expose API. */
export function canExpose(agent: SettingsAgent): agent is ExposingAgent {
  return (
    typeof agent.expose === 'function' &&
    typeof agent.unexpose === 'function' &&
    typeof agent.setPortRules === 'function'
  );
}

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
export function agentRules(rules: PortRulesOf): (port: number) => AgentPortRule | undefined {
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

/**
 * A SettingsTarget over an agent; a port the agent refuses to expose (its own gateway's) is reported,
 * not thrown. Without the runtime expose API the settings still ignore ports (SettingsFilter), set
 * visibility and preserve-host and act on onAutoForward; forwardPorts and labels are reported as not
 * applied, once.
 */
export function agentTarget(agent: SettingsAgent, rules: PortRulesOf, preserve: PreserveHost): SettingsTarget {
  if (!canExpose(agent)) {
    let told = false;
    const tell = () => {
      if (told) return;
      told = true;
      agent.publish({
        event: 'error',
        message: 'settings: this client cannot expose forwardPorts or show labels (no runtime expose)',
      });
    };
    return {
      expose: tell,
      unexpose: () => {},
      rulesChanged: () => {},
      setPreserveHost: (ports) => preserve.set(ports),
    };
  }
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
