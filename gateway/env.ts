/**
 * The Worker's bindings as the runtime hands them over (wrangler.toml, Worker
 * secrets, `.dev.vars`). Vars and secrets are read only through config.ts,
 * which validates them and documents units and defaults.
 */
import type { Session } from './session/session';

export interface Env {
  SESSION: DurableObjectNamespace<Session>;
  PREVIEW_DOMAIN?: string;
  CONTROL_DOMAIN?: string;
  HOST_SHAPE?: string;
  ADMIN_TOKEN?: string;
  LABEL_KEY?: string;
  TOKEN_SECRET?: string;
  TOKEN_SECRET_PREVIOUS?: string;
  ORIGIN_TIMEOUT?: string;
  VIEWER_IDLE_TIMEOUT?: string;
  MAX_STREAMS?: string;
  VIEWER_MAX_STREAMS?: string;
  QUEUE_LENGTH?: string;
  VIEWER_QUEUE_LENGTH?: string;
  QUEUE_TIMEOUT?: string;
  MAX_PORTS?: string;
  PUBLIC_PREVIEW_WARNING?: string;
  SESSION_MIN_TTL?: string;
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_SCOPES?: string;
  OIDC_GROUPS_CLAIM?: string;
  OIDC_REQUIRE_EMAIL_VERIFIED?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ORG_EMAIL_DOMAINS?: string;
  ORG_GROUPS?: string;
  FORWARD_EMAIL?: string;
}

/** Hono's environment type for this Worker. */
export interface AppEnv {
  Bindings: Env;
}
