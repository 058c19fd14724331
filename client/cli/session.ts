/**
 * porthole session create|status|end: the session's lifecycle through the SDK (porthole/sdk).
 * create needs the admin token; status and end take the session token, or the admin token with
 * --session <id>.
 */
import { createSession } from '../dev/session';
import { PortholeAdmin } from '../sdk/admin';
import { PortholeSession } from '../sdk/session';
import type { ApiSession } from '../../protocol/api';
import { identityOptions, members, ownerOf, policyOf } from './identity-flags';
import { command, type Parsed } from './command';
import { SESSION_HELP } from './help-session';
import { SESSION_TTL } from '../../protocol';
import { seconds, secondsBounds } from './duration';
import { check, UsageError } from './options';
import type { Output } from './output';
import { resolveToken } from './tokens';

const options = {
  gateway: { type: 'string' },
  'admin-token': { type: 'string' },
  'admin-token-file': { type: 'string' },
  ttl: { type: 'string' },
  ...identityOptions,
  session: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = Parsed<typeof options>['values'];

const BOUNDS = secondsBounds(SESSION_TTL, 'a session may live');

/** The gateway's URL (--gateway, else $PORTHOLE_GATEWAY), or a problem. */
function gatewayOf(values: Values, problems: string[]): string | undefined {
  const gateway = values.gateway ?? process.env.PORTHOLE_GATEWAY;
  if (!gateway) problems.push('--gateway (or PORTHOLE_GATEWAY) is required');
  else if (!/^https?:\/\//.test(gateway)) problems.push(`--gateway: '${gateway}' must be an http:// or https:// URL`);
  return gateway;
}

function adminTokenOf(values: Values, problems: string[], out: Output): string | undefined {
  const source = { flag: '--admin-token', env: 'PORTHOLE_ADMIN_TOKEN', argv: values['admin-token'] };
  return resolveToken({ ...source, file: values['admin-token-file'] }, problems, (line) => out.warn(line));
}

async function create(values: Values, out: Output): Promise<number> {
  const problems: string[] = [];
  const gateway = gatewayOf(values, problems);
  const adminToken = adminTokenOf(values, problems, out);
  if (!adminToken) problems.push('the admin token is required: PORTHOLE_ADMIN_TOKEN or --admin-token-file <path>');
  for (const flag of ['session', 'token', 'token-file'] as const) {
    if (values[flag] !== undefined) problems.push(`--${flag} is for session status and session end`);
  }
  const ttl = seconds(values.ttl, '--ttl', problems, BOUNDS);
  check(problems);
  const owner = ownerOf(values);
  const policy = policyOf(values);
  const created = await createSession(gateway as string, adminToken as string, { ttlSeconds: ttl, owner, policy });
  const who = created.owner
    ? `owner     ${[created.owner.email, created.owner.subject].filter(Boolean).join(' ')}\n`
    : '';
  const org = created.policy ? `org       ${members(created.policy)}\n` : '';
  out.result(
    created,
    `session   ${created.session}\nexpires   ${created.expiresAt}\nurls      ${created.urlTemplate}\n${who}${org}` +
      `token     ${created.token}\n\nconnect with:\n  PORTHOLE_TOKEN=<token> porthole connect --gateway ${gateway} --port <n>\n`,
  );
  return 0;
}

/**
 * The session that status and end act on: --session <id> with the admin token, else the session
 * token's own session (the gateway refuses a session token for another session: 403 wrong_session).
 */
function sessionOf(values: Values, out: Output): PortholeSession {
  const problems: string[] = [];
  const gateway = gatewayOf(values, problems);
  const onlyCreate = ['ttl', ...(Object.keys(identityOptions) as (keyof typeof identityOptions)[])] as const;
  for (const flag of onlyCreate) if (values[flag] !== undefined) problems.push(`--${flag} is for session create`);
  const id = values.session;
  const adminToken = id === undefined ? undefined : adminTokenOf(values, problems, out);
  const sessionToken = adminToken
    ? undefined
    : resolveToken(
        { flag: '--token', env: 'PORTHOLE_TOKEN', argv: values.token, file: values['token-file'] },
        problems,
        (line) => out.warn(line),
      );
  if (!adminToken && !sessionToken) {
    problems.push(
      id === undefined
        ? 'a session token is required (PORTHOLE_TOKEN or --token-file <path>), or --session <id> with the admin token'
        : 'the admin token is required with --session: PORTHOLE_ADMIN_TOKEN or --admin-token-file <path>',
    );
  }
  check(problems);
  return adminToken
    ? new PortholeAdmin({ gateway: gateway as string, adminToken }).session(id as string)
    : new PortholeSession({ gateway: gateway as string, sessionToken: sessionToken as string });
}

/** The human lines of `session status`. */
function statusLines(info: ApiSession): string {
  const tunnel = info.tunnel === 'connected' && info.connectedAt ? `connected since ${info.connectedAt}` : info.tunnel;
  return (
    `session   ${info.session}\nstate     ${info.state}\ntunnel    ${tunnel}\n` +
    `ports     ${info.ports}\nexpires   ${info.expiresAt}\n`
  );
}

export const session = command(SESSION_HELP, options, async ({ values, positionals }, out) => {
  const verb = positionals[0];
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (verb === 'create') return create(values, out);
  if (verb === 'status') {
    const info = await sessionOf(values, out).info();
    out.result(info, statusLines(info));
    return 0;
  }
  if (verb === 'end') {
    const ended = await sessionOf(values, out).end();
    out.result(
      ended,
      `session ${ended.session} ended at ${ended.endedAt}: its tunnel is closed and its URLs answer 410`,
    );
    return 0;
  }
  throw new UsageError(`unknown session command '${verb ?? ''}' (try: session create, session status, session end)`);
});
