/**
 * The local gateway's secrets, in `<state folder>/dev.vars` (dotenv syntax, as
 * wrangler's `.dev.vars`), generated on first run with strong random values
 * and never printed. `porthole dev` hands them to Miniflare as bindings, so no
 * `.dev.vars` in the current folder is needed or read.
 */
import { randomBytes } from 'node:crypto';
import { parseEnv } from 'node:util';
import { readPrivateFile, writePrivateFile } from '../local/private-path';
import type { GatewaySecrets } from './gateway';

const NAMES = ['ADMIN_TOKEN', 'LABEL_KEY', 'TOKEN_SECRET'] as const;

/**
 * The gateway vars a dev.vars may set for the local gateway (the README's configuration table): the
 * tunables and the identity provider's settings. PREVIEW_DOMAIN, CONTROL_DOMAIN and HOST_SHAPE are
 * not among them: the local front server and the URLs the client prints depend on the local ones.
 */
export const DEV_VARS = [
  'ORIGIN_TIMEOUT',
  'VIEWER_IDLE_TIMEOUT',
  'MAX_STREAMS',
  'VIEWER_MAX_STREAMS',
  'QUEUE_LENGTH',
  'VIEWER_QUEUE_LENGTH',
  'QUEUE_TIMEOUT',
  'MAX_PORTS',
  'PUBLIC_PREVIEW_WARNING',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPES',
  'OIDC_GROUPS_CLAIM',
  'OIDC_REQUIRE_EMAIL_VERIFIED',
  'OIDC_TOKEN_AUTH',
  'ACCESS_TEAM_DOMAIN',
  'ACCESS_AUD',
  'ORG_EMAIL_DOMAINS',
  'ORG_GROUPS',
  'FORWARD_EMAIL',
] as const;

/**
 * The variables of a dev.vars file, read with Node's own env-file parser
 * (util.parseEnv, the dotenv grammar wrangler also follows): `#` comments,
 * an optional `export ` prefix, single, double or backtick quotes (double
 * quotes expand `\n`, and may span lines), unquoted values trimmed and cut at
 * ` #`. A name given twice keeps its last value.
 */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) vars[name] = value;
  return vars;
}

/**
 * Read the secrets from `path`, appending any that are missing (32 random
 * bytes, base64url) and creating the file owner-only (0600) if needed.
 * `created` names the secrets generated now; `vars` holds the DEV_VARS the file
 * sets (e.g. OIDC_ISSUER), handed to the local gateway as Worker vars (the
 * gateway validates them: a bad one is its 500 config_invalid); `ignored` names
 * any other variable in the file (a typo, or a var fixed locally), which is not
 * passed on. An existing file that is not
 * this user's own and private (a regular file, 0600, not a symlink, in folders
 * no other user may write) is refused untouched with
 * an UnsafePathError saying the fix (`chmod 600 <path>`); the mode is set to
 * 0600 again on every write. Throws if the file cannot be read or written.
 */
export function loadOrCreateSecrets(path: string): {
  secrets: GatewaySecrets;
  created: string[];
  vars: Record<string, string>;
  ignored: string[];
} {
  const existing = readPrivateFile(path) ?? '';
  const vars = parseDevVars(existing);
  const created: string[] = [];
  let text = existing;
  for (const name of NAMES) {
    if (vars[name]) continue;
    vars[name] = randomBytes(32).toString('base64url');
    created.push(name);
    text += `${text && !text.endsWith('\n') ? '\n' : ''}${name}=${vars[name]}\n`;
  }
  if (created.length > 0) writePrivateFile(path, text);
  const passed = new Set<string>(DEV_VARS);
  const known = new Set<string>([...NAMES, 'TOKEN_SECRET_PREVIOUS', ...DEV_VARS]);
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) if (passed.has(name) && value !== '') settings[name] = value;
  return {
    secrets: {
      ADMIN_TOKEN: vars.ADMIN_TOKEN!,
      LABEL_KEY: vars.LABEL_KEY!,
      TOKEN_SECRET: vars.TOKEN_SECRET!,
      // A rotation in progress: the old key, added by hand, keeps its tokens valid until they expire.
      ...(vars.TOKEN_SECRET_PREVIOUS ? { TOKEN_SECRET_PREVIOUS: vars.TOKEN_SECRET_PREVIOUS } : {}),
    },
    created,
    vars: settings,
    ignored: Object.keys(vars).filter((name) => !known.has(name)),
  };
}
