/**
 * Porthole's own settings file, porthole.json (JSON with comments, like
 * devcontainer.json), for what devcontainer.json cannot say. Its keys mirror
 * the flags of the same meaning:
 *   defaultVisibility  "private" | "org" | "link" | "public"   (--default-visibility)
 *   visibility         { "8000": "public", "3000-3999": "link" } (--visibility; the last match wins)
 *   ignore             ["5432", "9000-9100", "postgres"]        (--ignore)
 *   preserveHost       [3000] or "all"                          (--preserve-host)
 * Any other key is reported (a typo must not pass silently); `$schema` is allowed.
 */
import { isPort, isVisibility, VISIBILITIES, type Visibility } from '../../protocol';
import { parseRules, RuleError } from '../ports/filters';
import { entries, type Node, oneOf, type Problems, shown } from './jsonc';
import { parseKey } from './matchers';
import type { Settings } from './types';

/** The file's name, searched for next to .devcontainer. */
export const PORTHOLE_FILE = 'porthole.json';

export type PortholePart = Pick<Settings, 'defaultVisibility' | 'visibility' | 'ignore' | 'preserveHost'>;

const KEYS = ['defaultVisibility', 'visibility', 'ignore', 'preserveHost'];

function visibilityOf(node: Node, key: string, problems: Problems): Visibility | undefined {
  if (isVisibility(node.value)) return node.value;
  problems.add(node, key, `must be ${oneOf(VISIBILITIES)} (got ${shown(node)})`);
  return undefined;
}

/** Read a parsed porthole.json; every bad entry goes to `problems`. */
export function readPortholeFile(root: Node, problems: Problems): PortholePart {
  const part: PortholePart = { visibility: [], ignore: [], preserveHost: [] };
  for (const [key, keyNode, value] of entries(root)) {
    switch (key) {
      case '$schema':
        break;
      case 'defaultVisibility':
        part.defaultVisibility = visibilityOf(value, key, problems);
        break;
      case 'visibility':
        part.visibility = visibilityRules(value, problems);
        break;
      case 'ignore':
        part.ignore = ignoreRules(value, problems);
        break;
      case 'preserveHost':
        part.preserveHost = preserveHost(value, problems);
        break;
      default:
        problems.add(keyNode, key, `is not a ${PORTHOLE_FILE} setting (${oneOf(KEYS)})`);
    }
  }
  return part;
}

function visibilityRules(node: Node, problems: Problems): PortholePart['visibility'] {
  if (node.type !== 'object') {
    problems.add(
      node,
      'visibility',
      `must be an object of port → visibility, e.g. { "8000": "public" } (got ${shown(node)})`,
    );
    return [];
  }
  const rules: PortholePart['visibility'] = [];
  for (const [key, keyNode, value] of entries(node)) {
    const parsed = parseKey(key, { regex: false });
    const visibility = visibilityOf(value, `visibility.${key}`, problems);
    if ('problem' in parsed) problems.add(keyNode, `visibility.${key}`, parsed.problem);
    else if ('remote' in parsed)
      problems.add(keyNode, `visibility.${key}`, 'names another host: use a port or a range');
    else if (visibility) rules.push({ match: parsed.matcher, visibility });
  }
  return rules;
}

function ignoreRules(node: Node, problems: Problems): string[] {
  const items = node.type === 'array' ? (node.children ?? []) : [node];
  const rules: string[] = [];
  for (const item of items) {
    const text = item.type === 'number' ? String(item.value) : item.type === 'string' ? (item.value as string) : null;
    if (text === null) {
      problems.add(item, 'ignore', `entries must be a port, a range or a process name (got ${shown(item)})`);
      continue;
    }
    try {
      parseRules([text]);
      rules.push(text);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      problems.add(item, 'ignore', error.message);
    }
  }
  return rules;
}

function preserveHost(node: Node, problems: Problems): PortholePart['preserveHost'] {
  if (node.type === 'string' && node.value === 'all') return 'all';
  if (node.type !== 'array') {
    problems.add(node, 'preserveHost', `must be a list of ports or "all" (got ${shown(node)})`);
    return [];
  }
  const ports: number[] = [];
  for (const item of node.children ?? []) {
    if (isPort(item.value)) ports.push(item.value);
    else problems.add(item, 'preserveHost', `entries must be a port number (1-65535) (got ${shown(item)})`);
  }
  return ports;
}
