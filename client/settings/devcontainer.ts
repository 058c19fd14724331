/**
 * What Porthole reads from a devcontainer.json: `forwardPorts`,
 * `portsAttributes` and `otherPortsAttributes` (label, onAutoForward,
 * protocol), per https://containers.dev/implementors/json_reference/. Every
 * other property belongs to other tools and is left alone, as are the port
 * attributes Porthole has no use for (requireLocalPort, elevateIfNeeded).
 */
import { isPort } from '../../protocol';
import { entries, type Node, oneOf, type Problems, shown } from './jsonc';
import { parseKey } from './matchers';
import { ON_AUTO_FORWARD, type PortAttributes, PROTOCOLS, type Settings } from './types';

export type DevcontainerPart = Pick<Settings, 'forwardPorts' | 'portsAttributes' | 'otherPortsAttributes'>;

const remoteWarning = (entry: string) =>
  `"${entry}" is another host's port: Porthole serves only this machine's ports (localhost), so it is skipped`;

/** Read the port settings of a parsed devcontainer.json; bad entries go to `problems`, skipped hosts to `warnings`. */
export function readDevcontainer(root: Node, problems: Problems, warnings: string[]): DevcontainerPart {
  const part: DevcontainerPart = { forwardPorts: [], portsAttributes: [], otherPortsAttributes: {} };
  for (const [key, , value] of entries(root)) {
    if (key === 'forwardPorts') part.forwardPorts = forwardPorts(value, problems, warnings);
    else if (key === 'portsAttributes') part.portsAttributes = portsAttributes(value, problems, warnings);
    else if (key === 'otherPortsAttributes') part.otherPortsAttributes = attributes(value, key, problems, warnings);
  }
  return part;
}

function forwardPorts(node: Node, problems: Problems, warnings: string[]): number[] {
  if (node.type !== 'array') {
    problems.add(node, 'forwardPorts', `must be a list of ports, e.g. [3000, "localhost:8080"] (got ${shown(node)})`);
    return [];
  }
  const ports = new Set<number>();
  for (const item of node.children ?? []) {
    if (item.type === 'number' && isPort(item.value)) {
      ports.add(item.value as number);
      continue;
    }
    if (item.type === 'string') {
      const parsed = parseKey(String(item.value), { regex: false });
      if ('matcher' in parsed && parsed.matcher.kind === 'port') {
        ports.add(parsed.matcher.port);
        continue;
      }
      if ('remote' in parsed) {
        warnings.push(remoteWarning(parsed.remote));
        continue;
      }
    }
    problems.add(item, 'forwardPorts', `entries must be a port (1-65535) or "host:port" (got ${shown(item)})`);
  }
  return [...ports];
}

function portsAttributes(node: Node, problems: Problems, warnings: string[]): DevcontainerPart['portsAttributes'] {
  if (node.type !== 'object') {
    problems.add(node, 'portsAttributes', `must be an object of port → attributes (got ${shown(node)})`);
    return [];
  }
  const list: DevcontainerPart['portsAttributes'] = [];
  for (const [key, keyNode, value] of entries(node)) {
    const parsed = parseKey(key);
    if ('problem' in parsed) problems.add(keyNode, `portsAttributes.${key}`, parsed.problem);
    else if ('remote' in parsed) warnings.push(remoteWarning(parsed.remote));
    else {
      const where = `portsAttributes.${key}`;
      list.push({ match: parsed.matcher, attributes: attributes(value, where, problems, warnings) });
    }
  }
  return list;
}

/** One attributes object: label, onAutoForward, protocol (others are other tools' and are skipped). */
function attributes(node: Node, where: string, problems: Problems, warnings: string[]): PortAttributes {
  if (node.type !== 'object') {
    problems.add(node, where, `must be an object such as { "label": "App" } (got ${shown(node)})`);
    return {};
  }
  const result: PortAttributes = {};
  for (const [key, , value] of entries(node)) {
    if (key === 'label') {
      if (value.type === 'string') result.label = value.value as string;
      else problems.add(value, `${where}.label`, `must be a string (got ${shown(value)})`);
    } else if (key === 'onAutoForward') {
      if ((ON_AUTO_FORWARD as readonly unknown[]).includes(value.value)) {
        result.onAutoForward = value.value as PortAttributes['onAutoForward'];
      } else problems.add(value, `${where}.onAutoForward`, `must be ${oneOf(ON_AUTO_FORWARD)} (got ${shown(value)})`);
    } else if (key === 'protocol') {
      if ((PROTOCOLS as readonly unknown[]).includes(value.value)) result.protocol = value.value as 'http' | 'https';
      if (value.value === 'https') {
        warnings.push(
          `"${where}.protocol" is https: Porthole speaks plain HTTP to the origin, so a TLS-only server will not answer`,
        );
      } else problems.add(value, `${where}.protocol`, `must be ${oneOf(PROTOCOLS)} (got ${shown(value)})`);
    }
  }
  return result;
}
