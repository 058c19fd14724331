/**
 * What the settings say about one port: its label, what happens when it is
 * exposed (onAutoForward), its protocol, who may open it, and whether it is
 * ignored. Attributes follow VS Code's reading of `portsAttributes`: a key
 * naming exactly the port wins, then the first matching range or regular
 * expression in file order; `otherPortsAttributes` applies only to a port no
 * key matches. Visibility: the last matching porthole.json rule, else its default.
 */
import type { Visibility } from '../../protocol';
import { matches, parseRules } from '../ports/filters';
import { matchesPort } from './matchers';
import type { OnAutoForward, PortAttributes, Protocol, Settings } from './types';

export interface PortSettings {
  label?: string;
  /** Default notify. */
  onAutoForward: OnAutoForward;
  protocol?: Protocol;
  /** Who may open the port when it first appears; undefined: not said (flags or the gateway's default decide). */
  visibility?: Visibility;
  /** Never exposed by the port watcher (onAutoForward "ignore", or a porthole.json ignore rule). */
  ignore: boolean;
}

/** The listening process, as far as it is known. */
export interface PortProcess {
  /** Short name, e.g. node (regular-expression keys are tested against it). */
  name?: string;
}

export type PortRulesOf = (port: number, process?: PortProcess) => PortSettings;

/** The rules of one Settings, with the ignore rules parsed once (load.ts has checked them). */
export function portRules(settings: Settings): PortRulesOf {
  const ignore = parseRules(settings.ignore);
  return (port, process = {}) => {
    const command = process.name;
    const matching = settings.portsAttributes.filter((entry) => matchesPort(entry.match, port, command));
    let attributes: PortAttributes;
    if (matching.length === 0) attributes = settings.otherPortsAttributes;
    else {
      attributes = {};
      const exact = matching.filter((entry) => entry.match.kind === 'port');
      const ordered = [...exact, ...matching.filter((entry) => entry.match.kind !== 'port')];
      // Earlier entries win: fill each attribute from the first that has it.
      for (const entry of ordered.reverse()) Object.assign(attributes, definedOnly(entry.attributes));
    }
    let visibility = settings.defaultVisibility;
    for (const rule of settings.visibility) if (matchesPort(rule.match, port, command)) visibility = rule.visibility;
    const onAutoForward = attributes.onAutoForward ?? 'notify';
    const result: PortSettings = {
      onAutoForward,
      ignore: onAutoForward === 'ignore' || matches(ignore, port, process.name),
    };
    if (attributes.label !== undefined) result.label = attributes.label;
    if (attributes.protocol !== undefined) result.protocol = attributes.protocol;
    if (visibility !== undefined) result.visibility = visibility;
    return result;
  };
}

function definedOnly(attributes: PortAttributes): PortAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}
