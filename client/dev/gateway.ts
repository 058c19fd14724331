/**
 * The gateway in workerd on this machine, through programmatic Miniflare: the same Worker bundle
 * that `wrangler deploy` ships, without wrangler dev's extra proxy layer. Viewers reach it through
 * the front server (front.ts), which stands where Cloudflare's edge does and forwards to the
 * Worker's direct socket, past Miniflare's entry worker.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { debuglog } from 'node:util';
import type { getEntrySocketHttpOptions as EntrySocketHttpOptions, Miniflare } from 'miniflare';
import { type Front, startFront } from './front';

const log = debuglog('porthole');

export interface GatewaySecrets {
  ADMIN_TOKEN: string;
  LABEL_KEY: string;
  TOKEN_SECRET: string;
  /** The previous token key, still accepted while a rotation runs (optional). */
  TOKEN_SECRET_PREVIOUS?: string;
}

export interface GatewayOptions {
  /** The esbuild bundle of gateway/index.ts. */
  script: string;
  secrets: GatewaySecrets;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Folder for Durable Object state; in memory when absent. */
  persist?: string;
  /** Extra vars (ORIGIN_TIMEOUT …). */
  vars?: Record<string, string>;
  /** PREVIEW_DOMAIN, under which port hosts live (default LOCAL_PREVIEW_DOMAIN). */
  previewDomain?: string;
  /** CONTROL_DOMAIN, where the dashboard, owner API and `/connect` live (default LOCAL_CONTROL_DOMAIN). */
  controlDomain?: string;
  /** Serve https with a self-signed certificate (tests of Secure cookies). */
  https?: boolean;
  /** Open workerd's inspector (Chrome DevTools Protocol) on this port, for profiling (bench/profile.ts). */
  inspectorPort?: number;
}

export interface LocalGateway {
  /** Base URL of the control domain, e.g. http://porthole.localhost:8787 */
  url: string;
  port: number;
  miniflare: Miniflare;
  /** workerd's own socket for the Worker (proxy style: absolute request targets), behind the front. */
  directPort: number;
  stop(): Promise<void>;
}

/**
 * The local gateway's preview domain (docs/hosts.md). Browsers resolve every
 * `*.localhost` name to this machine, and treat each direct child of `localhost`
 * as a site of its own: in the `session` host shape a session's ports,
 * `<port>-<sig>.<session>.localhost`, are the one site `<session>.localhost`
 * (the owner's SameSite=Lax cookies reach a sibling port's API), apart from
 * every other session's and from the control domain.
 */
export const LOCAL_PREVIEW_DOMAIN = 'localhost';
/** The local control domain: a child of `localhost` that is never a session id, so a site of its own. */
export const LOCAL_CONTROL_DOMAIN = 'porthole.localhost';

export const COMPATIBILITY_DATE = '2026-04-20';
/** As in wrangler.toml: request.signal aborts when a viewer disconnects. */
export const COMPATIBILITY_FLAGS = ['enable_request_signal'];
/** As in wrangler.toml: the Session class, bound as SESSION, on SQLite storage. */
export const DURABLE_OBJECTS = { SESSION: { className: 'Session', useSQLite: true } };

export async function startGateway(options: GatewayOptions): Promise<LocalGateway> {
  if (!existsSync(options.script)) throw new Error(`gateway bundle missing: ${options.script} (run npm run build)`);
  // Nothing leaves loopback: no metrics, no request.cf lookup.
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const previewDomain = options.previewDomain ?? LOCAL_PREVIEW_DOMAIN;
  const controlDomain = options.controlDomain ?? LOCAL_CONTROL_DOMAIN;
  // Loaded on demand: Miniflare is large, and `porthole connect` never needs it.
  const { Miniflare, getEntrySocketHttpOptions } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: options.script,
    // Module names are relative to this root; the default (cwd) breaks when run from another folder.
    modulesRoot: dirname(options.script),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    durableObjects: DURABLE_OBJECTS,
    durableObjectsPersist: options.persist ?? false,
    bindings: {
      PREVIEW_DOMAIN: previewDomain,
      CONTROL_DOMAIN: controlDomain,
      ...options.vars,
      ...options.secrets,
    },
    // Miniflare's entry socket stays on loopback for its own use; viewers come through the front.
    host: '127.0.0.1',
    port: 0,
    cf: false,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0, proxy: true }],
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
  });
  let front: Front;
  let directPort: number;
  try {
    await miniflare.ready;
    directPort = Number((await miniflare.unsafeGetDirectURL()).port);
    front = await startFront({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      upstream: { host: '127.0.0.1', port: directPort },
      ...(options.https ? { tls: await localCertificate(getEntrySocketHttpOptions) } : {}),
    });
  } catch (error) {
    // The start failure is the error to report; a failed cleanup after it only goes to NODE_DEBUG=porthole.
    await miniflare.dispose().catch((cleanup: unknown) => log('disposing the unstarted gateway failed: %s', cleanup));
    throw error;
  }
  return {
    url: `${options.https ? 'https' : 'http'}://${options.vars?.CONTROL_DOMAIN ?? controlDomain}:${front.port}`,
    port: front.port,
    miniflare,
    directPort,
    stop: async () => {
      await front.close();
      await miniflare.dispose();
    },
  };
}

/** Miniflare's self-signed certificate for `localhost` and 127.0.0.1 (what its `https: true` serves). */
async function localCertificate(entryOptions: typeof EntrySocketHttpOptions): Promise<{ key: string; cert: string }> {
  const options = await entryOptions({ https: true } as Parameters<typeof entryOptions>[0]);
  const keypair = 'https' in options ? options.https.tlsOptions?.keypair : undefined;
  if (!keypair?.privateKey || !keypair.certificateChain) throw new Error('Miniflare has no local certificate');
  return { key: keypair.privateKey, cert: keypair.certificateChain };
}
