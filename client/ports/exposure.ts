/**
 * Runtime exposure, for a person: checking what `porthole expose` (or the owner's EXPOSE) asks
 * for, refusing the gateway's own port, saying why a port is not exposed, and whether something
 * listens on a port now.
 */
import { connect } from 'node:net';
import { isPort, isVisibility, portLabelProblem, type Visibility } from '../../protocol';
import type { PortFilter } from './filters';
import type { ExposedPorts, PortSource } from './exposed';
import type { PortWatcher } from './watcher';

/** A refused expose: `code` is `bad_request` (port, label or visibility) or `gateway_port` (the local gateway's own). */
export class ExposeError extends Error {
  override readonly name = 'ExposeError';
  constructor(
    readonly code: 'bad_request' | 'gateway_port',
    message: string,
  ) {
    super(message);
  }
}

/** What may be exposed at runtime: any port 1–65535 but `gatewayPort`, a label of 1–64 characters, a visibility. */
export function checkExpose(
  port: unknown,
  options: { label?: unknown; visibility?: unknown },
  gatewayPort: number | undefined,
): { port: number; label?: string; visibility?: Visibility } {
  if (!isPort(port)) throw new ExposeError('bad_request', 'port must be a port number from 1 to 65535');
  if (port === gatewayPort) {
    throw new ExposeError('gateway_port', `port ${port} is the Porthole gateway's own port; it cannot be exposed`);
  }
  const checked: { port: number; label?: string; visibility?: Visibility } = { port };
  if (options.label !== undefined) {
    const problem = portLabelProblem(options.label);
    if (problem) throw new ExposeError('bad_request', problem);
    checked.label = options.label as string;
  }
  if (options.visibility !== undefined) {
    if (!isVisibility(options.visibility)) {
      throw new ExposeError('bad_request', 'visibility must be private, org, link or public');
    }
    checked.visibility = options.visibility;
  }
  return checked;
}

/**
 * Whether a port is exposed, and if not, why: `reason` says what keeps it out ("it is in the
 * kernel's ephemeral range …"), null when nothing does (it appears once something listens);
 * `canExpose` is false only for the gateway's own port.
 */
export type Exposure =
  | { port: number; exposed: true; source: PortSource }
  | { port: number; exposed: false; reason: string | null; canExpose: boolean };

/** What the agent knows of a port, as an Exposure. */
export function exposureOf(
  port: number,
  parts: {
    exposed: ExposedPorts;
    watcher: PortWatcher | null;
    filter: PortFilter | undefined;
    excludePorts: readonly number[];
    gatewayPort: number | undefined;
  },
): Exposure {
  const source = parts.exposed.source(port);
  if (source) return { port, exposed: true, source };
  const out = (reason: string | null, canExpose = true): Exposure => ({ port, exposed: false, reason, canExpose });
  if (port === parts.gatewayPort) return out("it is the Porthole gateway's own port", false);
  const held = parts.exposed.heldOut(port);
  if (held === 'unexposed') return out("it was unexposed ('porthole unexpose')");
  if (held) return out('a port rule of the settings ignores it');
  if (!parts.watcher || !parts.filter) return out('port watching is off (--no-watch): only --port ports are exposed');
  if (parts.excludePorts.includes(port)) return out('the client leaves it out (--ignore)');
  return out(parts.filter.explain(port, parts.watcher.leftOut(port)?.process));
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` or [::1]:`port`, within `timeoutMs` (default 500) each. */
export async function acceptsConnections(port: number, timeoutMs = 500): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (accepted) return true;
  }
  return false;
}

/** The port of a gateway on this machine (loopback or `.localhost` host), which is never exposed; undefined otherwise. */
export function localGatewayPort(gateway: string): number | undefined {
  try {
    const url = new URL(gateway);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const local = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host.startsWith('127.');
    if (!local) return undefined;
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}
