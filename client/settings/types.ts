/**
 * The settings read from the repository, as plain data: what devcontainer.json
 * says (forwardPorts, portsAttributes, otherPortsAttributes) and what
 * porthole.json adds (visibility, ignore rules, preserve-host). Produced by
 * load.ts, resolved per port by rules.ts, compared by diff.ts.
 */
import type { Visibility } from '../../protocol';

/** devcontainer's `onAutoForward`: what happens when a port is exposed (default notify). */
export const ON_AUTO_FORWARD = ['notify', 'openBrowser', 'openBrowserOnce', 'openPreview', 'silent', 'ignore'] as const;
export type OnAutoForward = (typeof ON_AUTO_FORWARD)[number];

/** devcontainer's `protocol`: how the origin speaks. */
export const PROTOCOLS = ['http', 'https'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** What a `portsAttributes` key (or a porthole.json `visibility` key) matches. */
export type PortMatcher =
  | { kind: 'port'; port: number }
  /** Inclusive. */
  | { kind: 'range'; from: number; to: number }
  /** Tested against the listening process's name (the spec says its command line, which the client does not read). */
  | { kind: 'regex'; source: string; regex: RegExp };

export interface PortAttributes {
  label?: string;
  onAutoForward?: OnAutoForward;
  protocol?: Protocol;
}

export interface Settings {
  /** The files read, as shown in messages (relative to the working folder), e.g. `.devcontainer/devcontainer.json`. */
  files: string[];
  /** devcontainer `forwardPorts` on this machine (localhost entries), exposed whether or not anything listens. */
  forwardPorts: number[];
  /** devcontainer `portsAttributes`, in file order. */
  portsAttributes: { match: PortMatcher; attributes: PortAttributes }[];
  /** devcontainer `otherPortsAttributes`: for ports no `portsAttributes` key matches. */
  otherPortsAttributes: PortAttributes;
  /** porthole.json `defaultVisibility`: who may open a new port no `visibility` rule names. */
  defaultVisibility?: Visibility;
  /** porthole.json `visibility` rules, in file order; the last match wins (as --visibility). */
  visibility: { match: PortMatcher; visibility: Visibility }[];
  /** porthole.json `ignore`: rules as --ignore takes them (ports, ranges, process names). */
  ignore: string[];
  /** porthole.json `preserveHost`: ports whose origin sees the public Host, or every port. */
  preserveHost: number[] | 'all';
}

/** No settings: what runs when no file is found, or with --no-settings. */
export function emptySettings(): Settings {
  return {
    files: [],
    forwardPorts: [],
    portsAttributes: [],
    otherPortsAttributes: {},
    visibility: [],
    ignore: [],
    preserveHost: [],
  };
}
