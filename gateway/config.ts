/**
 * The gateway's configuration: every var and secret read and validated once
 * per env object (wrangler.toml [vars], Worker secrets, `.dev.vars` locally),
 * as a typed value with its units in its names. A misconfigured gateway is
 * refused as a whole, with one error that lists every problem, rather than
 * failing request by request (a negative MAX_STREAMS used to turn every
 * request into a 503).
 */
import { ConfigError } from './errors';
import { type IdentityConfig, parseIdentityConfig } from './identity/config';

/** The two host shapes (docs/hosts.md): a site per session, or one label per port. */
export type HostShape = 'session' | 'port';
const HOST_SHAPES: readonly HostShape[] = ['session', 'port'];

export interface GatewayConfig {
  /** `PREVIEW_DOMAIN`: host name (no scheme, no port, lowercase) under which previews live. Default `localhost`. */
  previewDomain: string;
  /**
   * `HOST_SHAPE`: how a port's host is built (docs/hosts.md). Default `session`:
   * `<port>-<sig>.<session>.<PREVIEW_DOMAIN>`; `port`: `<port>-<session>-<sig>.<PREVIEW_DOMAIN>`.
   */
  hostShape: HostShape;
  /**
   * `CONTROL_DOMAIN`: host name of the dashboard, owner API, `/connect`, admin API and health check.
   * Default: `porthole.localhost` when PREVIEW_DOMAIN is `localhost`, else PREVIEW_DOMAIN itself.
   */
  controlDomain: string;
  /** `ADMIN_TOKEN`: bearer token for `POST /api/sessions`; null when unset (the admin API then answers 500 `misconfigured`). */
  adminToken: string | null;
  /** `LABEL_KEY`: HMAC key of port host labels, at least 32 characters. Required. */
  labelKey: string;
  /** `TOKEN_SECRET`: HS256 key every token is signed with, at least 32 characters. Required. */
  tokenSecret: string;
  /** `TOKEN_SECRET_PREVIOUS`: the previous signing key, still accepted during a rotation; null when unset. */
  tokenSecretPrevious: string | null;
  /** `ORIGIN_TIMEOUT`: seconds a viewer request waits for the origin's response head, from the last upload progress. Default 60. */
  originTimeoutSeconds: number;
  /** `VIEWER_IDLE_TIMEOUT`: seconds a viewer may read nothing of a response before it is dropped. Default 60. */
  viewerIdleSeconds: number;
  /** `MAX_STREAMS`: requests and WebSockets in flight at once per session; beyond it a request waits (QUEUE_LENGTH). Default 256. */
  maxStreams: number;
  /**
   * `VIEWER_MAX_STREAMS`: requests and WebSockets one viewer (client address; an IPv6 address by its /64)
   * may hold at once per session while half of MAX_STREAMS are in use; beyond it a request waits. A whole
   * number from 1 to MAX_STREAMS. Default a quarter of MAX_STREAMS (rounded down, at least 1): 64 of the default 256.
   */
  viewerMaxStreams: number;
  /**
   * `QUEUE_LENGTH`: requests that may wait for a stream per session (fair per viewer); with no room
   * left, 503 `too_many_streams`. A whole number, 0 (none wait) or more. Default 1024: each waiting
   * request costs the runtime ~90 KiB (measured locally), and a Durable Object has 128 MB.
   */
  queueLength: number;
  /**
   * `VIEWER_QUEUE_LENGTH`: of those, how many one viewer may have waiting; beyond it refused (429 when
   * its share is what stops it, else 503). A whole number from 0 to QUEUE_LENGTH. Default 1024.
   */
  viewerQueueLength: number;
  /** `QUEUE_TIMEOUT`: seconds a request may wait for a stream; then refused as above. Default 30: well above a request's wait at 1,000 connections on a slow machine (README). */
  queueTimeoutSeconds: number;
  /** `MAX_PORTS`: ports one session's client may announce; a table over it closes the tunnel with 4001, finally. Default 1024. */
  maxPorts: number;
  /** `PUBLIC_PREVIEW_WARNING` (`on` / `off`): a browser's first page load of a public port shows a warning page. Default off. */
  publicPreviewWarning: boolean;
  /**
   * `SESSION_MIN_TTL`: the shortest `ttl` (seconds) `POST /api/sessions` accepts. Default 60
   * (protocol/api.ts SESSION_TTL.min); lower it only to watch sessions expire (tests, demos).
   */
  sessionMinTtlSeconds: number;
  /** Sign-in with the team's identity provider and the `org` visibility (identity/config.ts, docs/identity.md). */
  identity: IdentityConfig;
}

/**
 * The defaults, in this one place: wrangler.toml names the tunables without
 * values, and sets only the host names (a deployment changes them). The local
 * gateway's domains (client/dev/gateway.ts LOCAL_PREVIEW_DOMAIN and
 * LOCAL_CONTROL_DOMAIN) are the defaults; test/unit/gateway/wrangler.test.ts
 * checks they agree.
 */
const DEFAULTS = {
  PREVIEW_DOMAIN: 'localhost',
  HOST_SHAPE: 'session',
  /** The control domain when PREVIEW_DOMAIN is `localhost`: a direct child of it, so a site of its own. */
  LOCAL_CONTROL_DOMAIN: 'porthole.localhost',
  ORIGIN_TIMEOUT: 60,
  VIEWER_IDLE_TIMEOUT: 60,
  MAX_STREAMS: 256,
  QUEUE_LENGTH: 1024,
  VIEWER_QUEUE_LENGTH: 1024,
  QUEUE_TIMEOUT: 30,
  MAX_PORTS: 1024,
  SESSION_MIN_TTL: 60,
} as const;

/** VIEWER_MAX_STREAMS defaults to MAX_STREAMS divided by this: one viewer takes at most a quarter of a session. */
const VIEWER_SHARE = 4;

/** Shortest signing key accepted for LABEL_KEY, TOKEN_SECRET and TOKEN_SECRET_PREVIOUS. */
export const MIN_KEY_LENGTH = 32;

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** An unset var: absent, or an empty string (as `NAME=` in .dev.vars). */
function unset(value: unknown): value is undefined | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Vars arrive as strings, or as numbers when wrangler.toml writes them unquoted. */
function text(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
}

/** A session id as it appears in a host (routing/base32.ts newSessionId). */
const SESSION_LABEL = /^[a-z2-7]{16}$/;
/** A port label of the `port` shape (routing/label.ts). */
const PORT_LABEL = /^[1-9][0-9]{0,4}-[a-z2-7]{16}-[a-z2-7]{16}$/;

/**
 * Why `control` cannot be the control domain beside these previews, or null:
 * it must never be a name a session's preview could be served on, nor sit
 * inside a session's site (its cookies and Origin would then be the session's).
 */
function controlClash(control: string, preview: string, shape: HostShape): string | null {
  if (control === preview || !control.endsWith(`.${preview}`)) return null;
  const labels = control.slice(0, -preview.length - 1).split('.');
  const top = labels[labels.length - 1] as string;
  if (shape === 'session' && SESSION_LABEL.test(top)) {
    return `its name under PREVIEW_DOMAIN (${JSON.stringify(top)}) has the form of a session id, so it would share a session's site.`;
  }
  if (shape === 'port' && PORT_LABEL.test(top)) {
    return `its name under PREVIEW_DOMAIN (${JSON.stringify(top)}) has the form of a port label, so it would share that port's site.`;
  }
  return null;
}

/**
 * Validate a Worker's vars and secrets. Throws ConfigError listing every
 * problem (by name and rule; a secret's value is never repeated).
 */
export function parseConfig(vars: Readonly<Record<string, unknown>>): GatewayConfig {
  const problems: string[] = [];

  const seconds = (name: 'ORIGIN_TIMEOUT' | 'VIEWER_IDLE_TIMEOUT' | 'QUEUE_TIMEOUT'): number => {
    const value = vars[name];
    if (unset(value)) return DEFAULTS[name];
    const raw = text(value);
    const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n > 0)) problems.push(`${name} is ${JSON.stringify(raw)}: it must be a number of seconds above 0.`);
    return n;
  };

  const count = (name: string, fallback: number, least = 1): number => {
    const value = vars[name];
    if (unset(value)) return fallback;
    const raw = text(value);
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= least))
      problems.push(`${name} is ${JSON.stringify(raw)}: it must be a whole number of ${least} or more.`);
    return n;
  };

  const secret = (name: string, required: boolean): string | null => {
    const value = vars[name];
    if (unset(value)) {
      if (required) problems.push(`${name} is not set: it must be a secret of at least ${MIN_KEY_LENGTH} characters.`);
      return null;
    }
    if (typeof value !== 'string' || value.length < MIN_KEY_LENGTH) {
      problems.push(`${name} is too short: it must be at least ${MIN_KEY_LENGTH} characters.`);
    }
    return String(value);
  };

  const domain = (name: 'PREVIEW_DOMAIN' | 'CONTROL_DOMAIN', fallback: string): string => {
    if (unset(vars[name])) return fallback;
    const value = text(vars[name]).toLowerCase();
    if (!DOMAIN.test(value)) {
      problems.push(`${name} is ${JSON.stringify(value)}: it must be a host name, without scheme, port or path.`);
    }
    return value;
  };

  const previewDomain = domain('PREVIEW_DOMAIN', DEFAULTS.PREVIEW_DOMAIN);
  let hostShape: HostShape = DEFAULTS.HOST_SHAPE;
  if (!unset(vars.HOST_SHAPE)) {
    const raw = text(vars.HOST_SHAPE);
    if ((HOST_SHAPES as readonly string[]).includes(raw)) hostShape = raw as HostShape;
    else problems.push(`HOST_SHAPE is ${JSON.stringify(raw)}: it must be "session" or "port".`);
  }
  const controlDomain = domain(
    'CONTROL_DOMAIN',
    previewDomain === 'localhost' ? DEFAULTS.LOCAL_CONTROL_DOMAIN : previewDomain,
  );
  const clash = controlClash(controlDomain, previewDomain, hostShape);
  if (clash) problems.push(`CONTROL_DOMAIN is ${JSON.stringify(controlDomain)}: ${clash}`);

  // In the README's order, so the list reads like the table.
  const originTimeoutSeconds = seconds('ORIGIN_TIMEOUT');
  const viewerIdleSeconds = seconds('VIEWER_IDLE_TIMEOUT');
  const maxStreams = count('MAX_STREAMS', DEFAULTS.MAX_STREAMS);
  const viewerMaxStreams = count('VIEWER_MAX_STREAMS', Math.max(1, Math.floor(maxStreams / VIEWER_SHARE)));
  if (maxStreams >= 1 && viewerMaxStreams > maxStreams) {
    problems.push(`VIEWER_MAX_STREAMS is ${viewerMaxStreams}: it must not be above MAX_STREAMS (${maxStreams}).`);
  }
  const queueLength = count('QUEUE_LENGTH', DEFAULTS.QUEUE_LENGTH, 0);
  const viewerQueueLength = count('VIEWER_QUEUE_LENGTH', Math.min(DEFAULTS.VIEWER_QUEUE_LENGTH, queueLength), 0);
  if (queueLength >= 0 && viewerQueueLength > queueLength) {
    problems.push(`VIEWER_QUEUE_LENGTH is ${viewerQueueLength}: it must not be above QUEUE_LENGTH (${queueLength}).`);
  }
  const queueTimeoutSeconds = seconds('QUEUE_TIMEOUT');
  const maxPorts = count('MAX_PORTS', DEFAULTS.MAX_PORTS);
  const sessionMinTtlSeconds = count('SESSION_MIN_TTL', DEFAULTS.SESSION_MIN_TTL);
  const warning = unset(vars.PUBLIC_PREVIEW_WARNING) ? 'off' : text(vars.PUBLIC_PREVIEW_WARNING).toLowerCase();
  if (warning !== 'on' && warning !== 'off') {
    problems.push(`PUBLIC_PREVIEW_WARNING is ${JSON.stringify(warning)}: it must be on or off.`);
  }
  const config: GatewayConfig = {
    previewDomain,
    hostShape,
    controlDomain,
    originTimeoutSeconds,
    viewerIdleSeconds,
    maxStreams,
    viewerMaxStreams,
    queueLength,
    viewerQueueLength,
    queueTimeoutSeconds,
    maxPorts,
    publicPreviewWarning: warning === 'on',
    sessionMinTtlSeconds,
    identity: parseIdentityConfig(vars, problems),
    adminToken: unset(vars.ADMIN_TOKEN) ? null : String(vars.ADMIN_TOKEN),
    labelKey: secret('LABEL_KEY', true) ?? '',
    tokenSecret: secret('TOKEN_SECRET', true) ?? '',
    tokenSecretPrevious: secret('TOKEN_SECRET_PREVIOUS', false),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

const cache = new WeakMap<object, GatewayConfig | ConfigError>();

/**
 * The configuration of this env, validated on first use and cached per env
 * object. Throws the same ConfigError on every call for a misconfigured env;
 * it is logged once, when first found.
 */
export function config(env: object): GatewayConfig {
  let entry = cache.get(env);
  if (entry === undefined) {
    try {
      entry = parseConfig(env as unknown as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`porthole: ${error.message}`);
      entry = error;
    }
    cache.set(env, entry);
  }
  if (entry instanceof ConfigError) throw entry;
  return entry;
}
