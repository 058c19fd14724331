/**
 * The identity vars (docs/identity.md), validated with the rest of the config (config.ts):
 * OIDC_*, ACCESS_*, ORG_* and FORWARD_EMAIL. Problems are pushed onto the caller's list, named by
 * var and rule; a secret's value is never repeated.
 */
import type { OrgPolicy } from './identity';

/** An OpenID Connect relying party (the gateway) at one provider. */
export interface OidcConfig {
  /** `OIDC_ISSUER`: the provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). https, or http on loopback. */
  issuer: string;
  /** `OIDC_CLIENT_ID`. Required with OIDC_ISSUER. */
  clientId: string;
  /** `OIDC_CLIENT_SECRET`: null for a public client (PKCE alone, `token_endpoint_auth_method` none). */
  clientSecret: string | null;
  /** `OIDC_SCOPES`: space-separated, must include `openid`. Default `openid email profile`. */
  scopes: string;
  /** `OIDC_GROUPS_CLAIM`: the ID token claim holding group names. Default `groups`. */
  groupsClaim: string;
  /** `OIDC_REQUIRE_EMAIL_VERIFIED` (`on`/`off`): trust an email only with `email_verified: true`. Default on. */
  requireEmailVerified: boolean;
  /**
   * `OIDC_TOKEN_AUTH`: how the client secret is sent to the token endpoint, `client_secret_basic` or
   * `client_secret_post` (OpenID Connect Core §9), for a provider that holds a client to one; null
   * (default): basic unless the provider's metadata lists only post.
   */
  tokenAuth: 'client_secret_basic' | 'client_secret_post' | null;
}

/** Cloudflare Access in front of the gateway. */
export interface AccessConfig {
  /** `ACCESS_TEAM_DOMAIN`: `https://<team>.cloudflareaccess.com` (no trailing slash); the assertion's issuer. https, or http on loopback. */
  teamDomain: string;
  /** `ACCESS_AUD`: the Access application's audience tag. Required with ACCESS_TEAM_DOMAIN. */
  audience: string;
}

export interface IdentityConfig {
  /** Null when OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
  /** Null when ACCESS_TEAM_DOMAIN is unset. */
  access: AccessConfig | null;
  /** `ORG_EMAIL_DOMAINS` and `ORG_GROUPS` (comma-separated): the org policy of sessions created without one. Default empty. */
  defaultPolicy: OrgPolicy;
  /** `FORWARD_EMAIL` (`on`/`off`): send `X-Porthole-Email` to the origin for viewers admitted by identity. Default off. */
  forwardEmail: boolean;
}

type Vars = Readonly<Record<string, unknown>>;

function value(vars: Vars, name: string): string | null {
  const raw = vars[name];
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  return text === '' ? null : text;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether `raw` is an issuer-like URL: https, or http on a loopback host (tests); no query, fragment or user. */
export function isIssuerUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    !url.search &&
    !url.hash &&
    !url.username &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
  );
}

/** The var `name` as an issuer-like URL (isIssuerUrl), trailing `/` kept as given; a problem pushed when it is not one. */
function issuerUrl(vars: Vars, name: string, problems: string[]): string | null {
  const raw = value(vars, name);
  if (raw === null) return null;
  if (!isIssuerUrl(raw))
    problems.push(`${name} is ${JSON.stringify(raw)}: it must be an https URL (http only on loopback).`);
  return raw;
}

function onOff(vars: Vars, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = value(vars, name)?.toLowerCase() ?? null;
  if (raw === null) return fallback;
  if (raw !== 'on' && raw !== 'off') problems.push(`${name} is ${JSON.stringify(raw)}: it must be on or off.`);
  return raw === 'on';
}

const TOKEN_AUTH = ['client_secret_basic', 'client_secret_post'] as const;

function tokenAuthOf(vars: Vars, problems: string[]): OidcConfig['tokenAuth'] {
  const raw = value(vars, 'OIDC_TOKEN_AUTH');
  if (raw === null) return null;
  const method = TOKEN_AUTH.find((m) => m === raw);
  if (method === undefined)
    problems.push(`OIDC_TOKEN_AUTH is ${JSON.stringify(raw)}: it must be ${TOKEN_AUTH.join(' or ')}.`);
  return method ?? null;
}

/** A comma-separated list, trimmed, empty items dropped; `lower` for emails and domains. */
export function listOf(raw: string | null, lower: boolean): string[] {
  if (raw === null) return [];
  return raw
    .split(',')
    .map((item) => (lower ? item.trim().toLowerCase() : item.trim()))
    .filter(Boolean);
}

export function parseIdentityConfig(vars: Vars, problems: string[]): IdentityConfig {
  let oidc: OidcConfig | null = null;
  const issuer = issuerUrl(vars, 'OIDC_ISSUER', problems);
  if (issuer !== null) {
    const clientId = value(vars, 'OIDC_CLIENT_ID');
    if (clientId === null) problems.push('OIDC_CLIENT_ID is not set: it is required with OIDC_ISSUER.');
    const scopes = value(vars, 'OIDC_SCOPES') ?? 'openid email profile';
    if (!scopes.split(/\s+/).includes('openid')) {
      problems.push(`OIDC_SCOPES is ${JSON.stringify(scopes)}: it must include openid.`);
    }
    oidc = {
      issuer,
      clientId: clientId ?? '',
      clientSecret: value(vars, 'OIDC_CLIENT_SECRET'),
      scopes,
      groupsClaim: value(vars, 'OIDC_GROUPS_CLAIM') ?? 'groups',
      requireEmailVerified: onOff(vars, 'OIDC_REQUIRE_EMAIL_VERIFIED', true, problems),
      tokenAuth: tokenAuthOf(vars, problems),
    };
  } else if (value(vars, 'OIDC_CLIENT_ID') !== null) {
    problems.push('OIDC_CLIENT_ID is set without OIDC_ISSUER: set both, or neither.');
  }
  let access: AccessConfig | null = null;
  const teamDomain = issuerUrl(vars, 'ACCESS_TEAM_DOMAIN', problems);
  if (teamDomain !== null) {
    const audience = value(vars, 'ACCESS_AUD');
    if (audience === null) problems.push('ACCESS_AUD is not set: it is required with ACCESS_TEAM_DOMAIN.');
    access = { teamDomain: teamDomain.replace(/\/+$/, ''), audience: audience ?? '' };
  } else if (value(vars, 'ACCESS_AUD') !== null) {
    problems.push('ACCESS_AUD is set without ACCESS_TEAM_DOMAIN: set both, or neither.');
  }
  return {
    oidc,
    access,
    defaultPolicy: {
      emailDomains: listOf(value(vars, 'ORG_EMAIL_DOMAINS'), true),
      emails: [],
      groups: listOf(value(vars, 'ORG_GROUPS'), false),
    },
    forwardEmail: onOff(vars, 'FORWARD_EMAIL', false, problems),
  };
}
