/**
 * The session's ports and links as the owner API, the dashboard and the
 * client see them: each with its URL (a signed port host) and its effective
 * visibility. Read-only over the port table and the share store.
 */
import type { IdentityStore } from './identity-store';
import type { ApiLink, ApiPort, PortEntry, Visibility } from '../../protocol';
import { ViewerAccess } from '../access/admission';
import { SHARE_PARAM } from '../access/credentials';
import { effectiveVisibility } from '../access/policy';
import { announcedVisibility, ORG_POLICY_MISSING_REASON } from '../identity/org-policy';
import { mintToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import { listenPort, portHost } from '../routing/label';
import type { Base } from '../routing/route';
import type { LastVisibility } from './last-visibility';
import type { PortTable } from './port-table';
import type { OwnerEpoch } from './owner-epoch';
import type { ShareLink, ShareStore } from './shares';

/** A session's views and the admission of its viewers, which reads them. */
export interface ViewsAndAccess {
  views: SessionViews;
  access: ViewerAccess;
}

/**
 * The views and viewer admission of `session` (built once the config is validated); `online`: whether
 * its client's tunnel is connected now.
 */
export function viewsAndAccess(
  config: GatewayConfig,
  session: string,
  ports: PortTable,
  shares: ShareStore,
  epoch: OwnerEpoch,
  identity: IdentityStore,
  last: LastVisibility,
  online: () => boolean,
  orgAllowed: () => Promise<boolean>,
): ViewsAndAccess {
  const views = new SessionViews(config, session, ports, shares, last, orgAllowed);
  const access = new ViewerAccess({
    config,
    shares,
    visibility: (port) => views.visibility(port),
    loginChain: () => views.nonPublicPorts(),
    ownerEpoch: () => epoch.current(),
    identity: () => identity.settings(),
    isSignedOut: (sid, issuedAt) => identity.isSignedOut(sid, issuedAt),
    answering: async (port) => online() && (await ports.get(port)) !== undefined,
  });
  return { views, access };
}

export class SessionViews {
  readonly #config: GatewayConfig;
  readonly #session: string;
  readonly #ports: PortTable;
  readonly #shares: ShareStore;
  readonly #last: LastVisibility;
  readonly #orgAllowed: () => Promise<boolean>;

  /** `orgAllowed`: whether the session can use `org` (identity/org-policy.ts); an announced `org` is private otherwise. */
  constructor(
    config: GatewayConfig,
    session: string,
    ports: PortTable,
    shares: ShareStore,
    last: LastVisibility,
    orgAllowed: () => Promise<boolean>,
  ) {
    this.#config = config;
    this.#session = session;
    this.#ports = ports;
    this.#shares = shares;
    this.#last = last;
    this.#orgAllowed = orgAllowed;
  }

  /** The effective visibility of a port the owner chose `owner` for and the client announced `client` for. */
  async #effective(owner: Visibility | undefined, client: Visibility | undefined): Promise<Visibility> {
    const allowed = owner !== undefined || client !== 'org' || (await this.#orgAllowed());
    return effectiveVisibility(owner, announcedVisibility(client, allowed));
  }

  /**
   * A port's preview URL in the configured shape, e.g. `http://8000-<sig>.<session>.localhost:8787/`:
   * the scheme and listening port of `base` (the control domain's), the host names of the config.
   */
  async portUrl(base: Base, port: number): Promise<string> {
    return `${base.scheme}://${await portHost(this.#config, this.#session, port, listenPort(base.host))}/`;
  }

  /**
   * A port's effective visibility (access/policy.ts): the owner's choice, else what the client
   * announces for it now, else the link or public visibility it last announced while the port is down
   * (last-visibility.ts), else private (a port never announced has no visibility yet). An announced
   * `org` on a session that cannot use it is private (identity/org-policy.ts).
   */
  async visibility(port: number): Promise<Visibility> {
    const announced = (await this.#ports.get(port))?.visibility ?? (await this.#last.get(port));
    return this.#effective(await this.#shares.visibility(port), announced);
  }

  /**
   * The whole port table for the client, with each port's URL and effective visibility; a port whose
   * announced `org` was made private says why (`refused`, v8), for the client to tell its user.
   */
  async portEntries(base: Base): Promise<PortEntry[]> {
    const explicit = await this.#shares.visibilities();
    const entries: PortEntry[] = [];
    for (const stored of await this.#ports.list()) {
      const visibility = await this.#effective(explicit[stored.port], stored.visibility);
      const refused = explicit[stored.port] === undefined && stored.visibility !== visibility;
      entries.push({
        ...stored,
        url: await this.portUrl(base, stored.port),
        visibility,
        ...(refused ? { refused: ORG_POLICY_MISSING_REASON } : {}),
      });
    }
    return entries;
  }

  /** Listening ports, and ports the owner set a visibility for (`listening: false` while down), by port number. */
  async ports(base: Base): Promise<ApiPort[]> {
    const explicit = await this.#shares.visibilities();
    const out = new Map<number, ApiPort>();
    for (const stored of await this.#ports.list()) {
      out.set(stored.port, {
        port: stored.port,
        url: await this.portUrl(base, stored.port),
        ...(stored.process ? { process: stored.process } : {}),
        visibility: await this.#effective(explicit[stored.port], stored.visibility),
        listening: true,
        firstSeen: stored.firstSeen,
        ...(stored.label ? { label: stored.label } : {}),
      });
    }
    for (const [key, visibility] of Object.entries(explicit)) {
      const port = Number(key);
      if (!out.has(port)) out.set(port, { port, url: await this.portUrl(base, port), visibility, listening: false });
    }
    return [...out.values()].sort((a, b) => a.port - b.port);
  }

  /** A link as the API shows it; a revoked one's URL no longer carries its token. */
  async link(base: Base, link: ShareLink, withToken: boolean): Promise<ApiLink> {
    let url = await this.portUrl(base, link.port);
    if (withToken) {
      const { id: jti, port, expiresAt } = link;
      const token = await mintToken(this.#config, 'share', { session: this.#session, port, jti, expiresAt });
      url += `?${SHARE_PARAM}=${token}`;
    }
    return {
      id: link.id,
      url,
      port: link.port,
      ...(link.label ? { label: link.label } : {}),
      createdAt: link.createdAt,
      expiresAt: new Date(link.expiresAt * 1000).toISOString(),
    };
  }

  /** Listening ports only the owner (or link holders) may open: what one login covers. */
  async nonPublicPorts(): Promise<number[]> {
    const explicit = await this.#shares.visibilities();
    const listening = await this.#ports.list();
    const ports: number[] = [];
    for (const stored of listening) {
      if ((await this.#effective(explicit[stored.port], stored.visibility)) !== 'public') ports.push(stored.port);
    }
    return ports;
  }
}
