import type { Session } from './session/session';

/** Bindings, vars and secrets of the Worker (see wrangler.toml and .dev.vars). */
export interface Env {
  SESSION: DurableObjectNamespace<Session>;
  /** Host name (no scheme, no port) whose subdomains are port previews. */
  PREVIEW_DOMAIN: string;
  /** Bearer token for the admin API (session creation). Secret. */
  ADMIN_TOKEN?: string;
  /** HMAC key for port host labels. Secret. */
  LABEL_KEY?: string;
  /** Signing key for JWTs. Secret. */
  TOKEN_SECRET?: string;
  /** The previous signing key, still accepted during a rotation. Secret. */
  TOKEN_SECRET_PREVIOUS?: string;
  /** Seconds a viewer request waits for the origin's response head (default 60). */
  ORIGIN_TIMEOUT?: string;
  /** Seconds a viewer may read nothing of a response before it is dropped (default 60). */
  VIEWER_IDLE_TIMEOUT?: string;
  /** Requests and WebSockets in flight at once per session before new ones get 503 (default 256). */
  MAX_STREAMS?: string;
}

/** Hono's environment type for this Worker. */
export interface AppEnv {
  Bindings: Env;
}
