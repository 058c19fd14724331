/** porthole session create: mint a session through the admin API. */
import { createSession } from '../dev/session';
import { identityOptions, members, ownerOf, policyOf } from './identity-flags';
import { command } from './command';
import { SESSION_HELP } from './help';
import { SESSION_TTL } from '../../protocol';
import { seconds, secondsBounds } from './duration';
import { check, UsageError } from './options';
import { resolveToken } from './tokens';

const options = {
  gateway: { type: 'string' },
  'admin-token': { type: 'string' },
  'admin-token-file': { type: 'string' },
  ttl: { type: 'string' },
  ...identityOptions,
  json: { type: 'boolean' },
} as const;

const BOUNDS = secondsBounds(SESSION_TTL, 'a session may live');

export const session = command(SESSION_HELP, options, async ({ values, positionals }, out) => {
  if (positionals[0] !== 'create')
    throw new UsageError(`unknown session command '${positionals[0] ?? ''}' (try: session create)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const problems: string[] = [];
  const gateway = values.gateway ?? process.env.PORTHOLE_GATEWAY;
  const adminToken = resolveToken(
    {
      flag: '--admin-token',
      env: 'PORTHOLE_ADMIN_TOKEN',
      argv: values['admin-token'],
      file: values['admin-token-file'],
    },
    problems,
    (line) => out.warn(line),
  );
  if (!gateway) problems.push('--gateway (or PORTHOLE_GATEWAY) is required');
  if (!adminToken) problems.push('the admin token is required: PORTHOLE_ADMIN_TOKEN or --admin-token-file <path>');
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
});
