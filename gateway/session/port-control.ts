/**
 * The client's control frames (HELLO, PORTS) and the port snapshot that
 * answers them, bounded (issue 13 item 3): work past the session's rate, in
 * ports listed and written, closes the tunnel (control-rate.ts); a table over MAX_PORTS is refused for good
 * (CloseCode.TOO_MANY_PORTS); a frame that changes nothing writes and sends
 * nothing; and snapshots are coalesced (coalesce.ts).
 */
import { CloseCode, type ControlFrame, type PortEntry } from '../../protocol';
import type { Base } from '../routing/route';
import { Coalescer } from './coalesce';
import { ControlRate } from './control-rate';
import { type PortTable, TooManyPortsError } from './port-table';

type ClientControlFrame = Extract<ControlFrame, { type: 'HELLO' | 'PORTS' }>;

/** A live tunnel as port control uses it (tunnel.ts Tunnel is one). */
export interface ControlledTunnel {
  mux: { control(frame: ControlFrame): void };
  attachment: { base: Base };
}

/** The session's tunnel socket as port control uses it (tunnel.ts TunnelSocket is one). */
export interface ControlledTunnels {
  current(): ControlledTunnel | null;
  drop(tunnel: ControlledTunnel, code: number, reason: string): void;
}

export interface PortControlParts {
  session: string;
  ports: PortTable;
  tunnel: ControlledTunnels;
  /** MAX_PORTS, read when a frame arrives (the config is validated on first use). */
  maxPorts(): number;
  views(): { portEntries(base: Base): Promise<PortEntry[]> };
  /**
   * The port table changed: remember its visibilities (last-visibility.ts); resolves with the ports
   * that wrote, charged to the client's control rate like the table itself. Never rejects.
   */
  remember(): Promise<number>;
  /** The port table changed (for the dashboard feed). */
  onChange(): void;
}

export class PortControl {
  readonly #parts: PortControlParts;
  /** The port snapshot to the current tunnel, at most once per SNAPSHOT_INTERVAL_MS however many changes. */
  readonly #snapshot = new Coalescer(() => this.#send());
  /** The session's control rate, made at the first frame (MAX_PORTS is read then): a reconnect does not refill it. */
  #rate: ControlRate | null = null;

  constructor(parts: PortControlParts) {
    this.#parts = parts;
  }

  /**
   * HELLO or PORTS: the table is updated, and a snapshot follows only if it changed (a HELLO is always
   * answered). Over MAX_PORTS: closed with 4001, finally; over the control rate: closed with 1008.
   * Rejects on a storage failure (the tunnel is then dropped with 1011, tunnel.ts).
   */
  async frame(tunnel: ControlledTunnel, frame: ClientControlFrame): Promise<void> {
    const maxPorts = this.#parts.maxPorts();
    const rate = (this.#rate ??= ControlRate.forMaxPorts(maxPorts));
    if (!rate.admit(frame)) {
      this.#parts.tunnel.drop(tunnel, CloseCode.POLICY, rate.reason);
      return;
    }
    const { ports } = this.#parts;
    let changed: boolean;
    try {
      changed =
        frame.type === 'HELLO'
          ? await ports.reconcile(frame.body.ports, maxPorts)
          : await ports.apply(frame.body, maxPorts);
    } catch (error) {
      if (!(error instanceof TooManyPortsError)) throw error;
      this.#parts.tunnel.drop(tunnel, CloseCode.TOO_MANY_PORTS, error.message);
      return;
    }
    // The whole table was written back, and maybe the remembered visibilities: the next frame pays for both.
    if (changed) rate.written((await ports.size()) + (await this.#parts.remember()));
    // The client waits for its first snapshot to learn its URLs.
    if (changed || frame.type === 'HELLO') this.#snapshot.request();
    if (changed) this.#parts.onChange();
  }

  /** Something the snapshot shows changed outside the client's frames (an owner's visibility). */
  changed(): void {
    this.#snapshot.request();
  }

  /** Tell the current client the whole port table, with each port's URL and who may open it. */
  async #send(): Promise<void> {
    const tunnel = this.#parts.tunnel.current();
    if (!tunnel) return;
    try {
      const ports = await this.#parts.views().portEntries(tunnel.attachment.base);
      tunnel.mux.control({ type: 'PORT_SNAPSHOT', stream: 0, body: { session: this.#parts.session, ports } });
    } catch (error) {
      console.error('porthole: the port snapshot failed; dropping the tunnel:', error);
      this.#parts.tunnel.drop(tunnel, 1011, String(error));
    }
  }
}
