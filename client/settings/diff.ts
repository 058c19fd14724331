/**
 * What to do when the settings change: a pure function from the settings in
 * force and the new ones to the actions that take the agent from one to the
 * other. forwardPorts that appear are exposed (with their label and
 * visibility), those that go away are unexposed, a forwarded port whose label
 * or visibility changed is exposed again, and any change to the per-port
 * rules or preserve-host list asks for them to be set again.
 */
import type { Visibility } from '../../protocol';
import { matcherKey } from './matchers';
import { portRules } from './rules';
import type { Settings } from './types';

export type SettingsAction =
  | { kind: 'expose'; port: number; label?: string; visibility?: Visibility }
  | { kind: 'unexpose'; port: number }
  /** The per-port rules (labels, onAutoForward, visibility, ignore) changed: hand the agent the new ones. */
  | { kind: 'rules' }
  | { kind: 'preserveHost'; ports: number[] | 'all' };

/** The part of Settings that portRules reads, as comparable text. */
function rulesKey(settings: Settings): string {
  return JSON.stringify([
    settings.portsAttributes.map((entry) => [matcherKey(entry.match), entry.attributes]),
    settings.otherPortsAttributes,
    settings.defaultVisibility ?? null,
    settings.visibility.map((rule) => [matcherKey(rule.match), rule.visibility]),
    settings.ignore,
  ]);
}

function forwarded(settings: Settings): Map<number, { label?: string; visibility?: Visibility }> {
  const rules = portRules(settings);
  const ports = new Map<number, { label?: string; visibility?: Visibility }>();
  for (const port of settings.forwardPorts) {
    const { label, visibility } = rules(port);
    ports.set(port, { ...(label !== undefined ? { label } : {}), ...(visibility ? { visibility } : {}) });
  }
  return ports;
}

/** The actions from `before` to `after`, unexposes first, then exposes in ascending port order, then rules. */
export function diffSettings(before: Settings, after: Settings): SettingsAction[] {
  const actions: SettingsAction[] = [];
  const was = forwarded(before);
  const now = forwarded(after);
  for (const port of [...was.keys()].sort((a, b) => a - b)) {
    if (!now.has(port)) actions.push({ kind: 'unexpose', port });
  }
  for (const [port, wanted] of [...now].sort(([a], [b]) => a - b)) {
    const old = was.get(port);
    if (old && old.label === wanted.label && old.visibility === wanted.visibility) continue;
    actions.push({ kind: 'expose', port, ...wanted });
  }
  if (rulesKey(before) !== rulesKey(after)) actions.push({ kind: 'rules' });
  if (JSON.stringify(before.preserveHost) !== JSON.stringify(after.preserveHost)) {
    actions.push({ kind: 'preserveHost', ports: after.preserveHost });
  }
  return actions;
}

/** An action in a few words, for the settings.reloaded event: `expose 3000 (App)`, `unexpose 4000`, `port rules`. */
export function describeAction(action: SettingsAction): string {
  switch (action.kind) {
    case 'expose':
      return `expose ${action.port}${action.label ? ` (${action.label})` : ''}`;
    case 'unexpose':
      return `unexpose ${action.port}`;
    case 'rules':
      return 'port rules';
    case 'preserveHost':
      return `preserve host: ${action.ports === 'all' ? 'all' : action.ports.join(', ') || 'none'}`;
  }
}
