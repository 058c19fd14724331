/**
 * `portsAttributes` keys as the devcontainer spec reads them: a port ("3000"),
 * a range ("40000-40010"), "host:port", or else a regular expression, which
 * the spec tests against the process's command line and Porthole against its
 * name (the port watcher reads names, not command lines).
 */
import { isPort } from '../../protocol';
import type { PortMatcher } from './types';

/** Hosts whose ports are this machine's: the only ones Porthole can serve. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/** The parse of a key: a matcher, a problem (an error message), or a remote host to warn about. */
export type KeyParse = { matcher: PortMatcher } | { problem: string } | { remote: string };

/** Read a `portsAttributes` (or porthole.json `visibility`) key; `regex: false` refuses the regular-expression form. */
export function parseKey(key: string, options: { regex: boolean } = { regex: true }): KeyParse {
  const text = key.trim();
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return isPort(port) ? { matcher: { kind: 'port', port } } : { problem: 'is not a port number (1-65535)' };
  }
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (!isPort(from) || !isPort(to) || from > to) return { problem: 'is not a port range within 1-65535' };
    return { matcher: { kind: 'range', from, to } };
  }
  const hostPort = /^([a-z0-9_.-]+):(\d{1,5})$/i.exec(text);
  if (hostPort) {
    const port = Number(hostPort[2]);
    if (!isPort(port)) return { problem: 'is not host:port with a port within 1-65535' };
    if (!LOCAL_HOSTS.has((hostPort[1] as string).toLowerCase())) return { remote: text };
    return { matcher: { kind: 'port', port } };
  }
  if (!options.regex) return { problem: 'is not a port or a range (e.g. "8000", "3000-3999")' };
  try {
    return { matcher: { kind: 'regex', source: key, regex: new RegExp(key) } };
  } catch (error) {
    return { problem: `is neither a port, a range nor a valid regular expression (${(error as Error).message})` };
  }
}

/** Whether a matcher covers a port; `command` is the process's name, when known. */
export function matchesPort(matcher: PortMatcher, port: number, command: string | undefined): boolean {
  switch (matcher.kind) {
    case 'port':
      return matcher.port === port;
    case 'range':
      return port >= matcher.from && port <= matcher.to;
    case 'regex':
      return command !== undefined && matcher.regex.test(command);
  }
}

/** A matcher as the file wrote it, for comparing two settings and for messages. */
export function matcherKey(matcher: PortMatcher): string {
  switch (matcher.kind) {
    case 'port':
      return String(matcher.port);
    case 'range':
      return `${matcher.from}-${matcher.to}`;
    case 'regex':
      return `/${matcher.source}/`;
  }
}
