/**
 * The owner's RPC of a Session object, for its ports (session.ts hands each method here; the Worker
 * has checked the owner token): the session at a glance, the ports and who may open each, asks of
 * the client to expose or unexpose one, and reads of the client's request log. Links, logins and
 * sign-out are links-rpc.ts's. `base` is the scheme and host of the bare domain the caller used, to
 * build URLs with. Each answers 410 `session_ended` once the session has ended (lifecycle.ts).
 */
import type { ApiPort, ApiStatus, ExposeRequest, Visibility } from '../../protocol';
import { sessionOffline } from '../errors';
import type { Base } from '../routing/route';
import type { OwnerPortOutcome } from './owner-ports';
import type { SessionParts } from './parts';
import { type LogRead, type LogReply, refused } from './request-log';

export class OwnerRpc {
  readonly #p: SessionParts;

  constructor(parts: SessionParts) {
    this.#p = parts;
  }

  /** The session at a glance: tunnel, streams in flight, and how long this object has been awake. */
  async status(): Promise<ApiStatus> {
    await this.#p.life.live();
    const tunnel = this.#p.tunnel.current();
    return {
      tunnel: tunnel ? 'connected' : 'offline',
      ...(tunnel ? { connectedAt: new Date(tunnel.attachment.connectedAt).toISOString() } : {}),
      streams: tunnel?.mux.stats().open ?? 0,
      waiting: this.#p.viewerStreams.waiting,
      awakeSince: this.#p.since,
    };
  }

  /** The session's ports as the owner sees them (views.ts). */
  async listPorts(base: Base): Promise<ApiPort[]> {
    await this.#p.life.live();
    return this.#p.views().ports(base);
  }

  /**
   * The owner's choice of who may open `port` (listening or not); the client hears of it at once.
   * 'too_many_requests' past the session's rate of choices (shares.ts); 'org_policy_missing' for
   * `org` on a session without members (identity/org-policy.ts), nothing changed.
   */
  async setVisibility(
    base: Base,
    port: number,
    visibility: Visibility,
  ): Promise<ApiPort | 'too_many_requests' | 'org_policy_missing'> {
    await this.#p.life.live();
    if (visibility === 'org' && !(await this.#p.orgAllowed())) return 'org_policy_missing';
    const before = await this.#p.shares.visibility(port);
    if (!(await this.#p.shares.setVisibility(port, visibility))) return 'too_many_requests';
    if (before !== visibility) {
      this.#p.feed.notify('ports');
      this.#p.source.portsChanged();
      this.#p.portControl.changed();
      void this.#p.grants.visibilityChanged();
    }
    return (await this.listPorts(base)).find((p) => p.port === port) as ApiPort;
  }

  /** The owner asks the client to expose a port (EXPOSE): sent, or why not (owner-ports.ts, org-policy.ts). */
  async requestExpose(request: ExposeRequest): Promise<OwnerPortOutcome | 'org_policy_missing'> {
    await this.#p.life.live();
    if (request.visibility === 'org' && !(await this.#p.orgAllowed())) return 'org_policy_missing';
    return this.#p.ownerPorts.expose(request, this.#p.ports, this.#p.config().maxPorts);
  }

  /** The owner asks the client to stop exposing a port (UNEXPOSE): sent, or why not. */
  async requestUnexpose(port: number): Promise<OwnerPortOutcome> {
    await this.#p.life.live();
    return this.#p.ownerPorts.send({ type: 'UNEXPOSE', stream: 0, body: { port } });
  }

  /**
   * The owner reads the client's request log (request-log.ts) with a credential of `epoch`: the
   * client's answer to stream, or why not (503 `session_offline` without a tunnel); `signed_out` on a
   * stale epoch. The read is one of the session's MAX_STREAMS, but no viewer's and never queued.
   */
  async readRequestLog(read: LogRead, epoch: number): Promise<LogReply> {
    await this.#p.life.live();
    if (epoch !== (await this.#p.epoch.current())) return { kind: 'signed_out' };
    const tunnel = this.#p.tunnel.current();
    if (!tunnel) return refused(sessionOffline());
    return this.#p.logReads.read((request) => this.#p.viewerStreams.openUnshared(tunnel.mux, request), read, epoch);
  }
}
