/**
 * Credentials out of logged headers: what the log shows and serves (control
 * API, dashboard, MCP) never carries a secret the viewer or the app sent.
 * Porthole's own credentials never reach the client (the gateway strips them);
 * these are the app's. The log keeps the original values only to replay a
 * request, and never shows them.
 */
import type { LoggedHeaders } from './record';

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Headers whose values are credentials: Authorization and Proxy-Authorization keep their
 * scheme (RFC 9110 §11.6.2, §11.7.2: `Bearer [redacted]`), Cookie and Set-Cookie keep cookie
 * names and attributes (RFC 6265 §4.1, §5.4: `sid=[redacted]; Path=/`), and the common API-key
 * headers lose their whole value.
 */
const WHOLE = new Set(['x-api-key', 'x-auth-token', 'x-csrf-token', 'x-xsrf-token', 'api-key']);

/**
 * Any other header whose name has a credential word as one of its `-`/`_` parts: `X-Gitlab-Token`
 * (a webhook's shared secret), `Private-Token`, `X-Vault-Token`, `X-Amz-Security-Token`,
 * `X-Goog-Api-Key`, `X-Shopify-Access-Token`, `X-Client-Secret`, `X-Password` (whole value). Not
 * `Sec-WebSocket-Key` (a nonce) nor signatures such as `X-Hub-Signature-256` (an HMAC of the body).
 */
const CREDENTIAL_NAME =
  /(?:^|[-_])(?:token|secret|password|passwd|apikey|api[-_]key|access[-_]key|credentials?)(?:$|[-_])/;

function scheme(value: string): string {
  const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s+\S/.exec(value);
  return match ? `${match[1]} ${REDACTED}` : REDACTED;
}

/** `a=1; b=2` → `a=[redacted]; b=[redacted]`; a nameless cookie (`; token`, RFC 6265bis §5.6) is a value too. */
function cookiePairs(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq !== -1) return `${pair.slice(0, eq)}=${REDACTED}`;
      return pair.trim() === '' ? pair : `${/^\s*/.exec(pair)?.[0] ?? ''}${REDACTED}`;
    })
    .join(';');
}

/** `sid=abc; Path=/; HttpOnly` → `sid=[redacted]; Path=/; HttpOnly`. */
function setCookie(value: string): string {
  const semi = value.indexOf(';');
  const first = semi === -1 ? value : value.slice(0, semi);
  const eq = first.indexOf('=');
  const pair = eq === -1 ? REDACTED : `${first.slice(0, eq)}=${REDACTED}`;
  return semi === -1 ? pair : pair + value.slice(semi);
}

/** One header value as the log shows it. */
export function redactValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'authorization':
    case 'proxy-authorization':
      return scheme(value);
    case 'cookie':
      return cookiePairs(value);
    case 'set-cookie':
      return setCookie(value);
    default:
      return WHOLE.has(lower) || CREDENTIAL_NAME.test(lower) ? REDACTED : value;
  }
}

/** A header block as the log shows it (a copy; names and order as they were). */
export function redactHeaders(headers: readonly (readonly [string, string])[]): LoggedHeaders {
  return headers.map(([name, value]) => [name, redactValue(name, value)]);
}
