/**
 * porthole signout --everywhere: the session-wide "sign out everywhere"
 * through the running client (which holds the session's credentials).
 */
import type { ApiSignOut } from '../../protocol';
import { callJson } from '../control/client';
import { clientCommand } from './command';
import { CONTROL } from './help';
import { UsageError } from './options';

export const SIGNOUT_HELP = `Usage: porthole signout --everywhere [--json]

Signs the session's owner out everywhere at once: every owner token
('porthole token'), every dashboard and preview login in every browser, and
every login or dashboard link not yet opened stop working (401 signed_out),
and what they opened ends too: WebSockets on private and link ports close
(1008), responses still streaming are cut, open dashboards stop updating.
Sign in again with 'porthole dashboard' or 'porthole login <port>'.

The session token is not an owner login and keeps working: the client stays
connected, its ports keep their URLs and visibility, and share links given to
reviewers keep working until they expire or are revoked ('porthole revoke').

Options:
  --everywhere          Required: there is no narrower sign-out (a browser's
                        own login ends when its cookie expires or is cleared)
  --json                Print {"session","signedOut","epoch"}
${CONTROL}
`;

export const signout = clientCommand(
  SIGNOUT_HELP,
  { everywhere: { type: 'boolean' }, json: { type: 'boolean' } } as const,
  async ({ values, positionals }, path, out) => {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.everywhere) throw new UsageError('say --everywhere: porthole signout --everywhere');
    const result = await callJson<ApiSignOut>(path, 'POST', '/v1/signout', {});
    out.result(
      result,
      `signed out everywhere: every owner token, dashboard and preview login of session ${result.session} ` +
        'is revoked (the tunnel and share links keep working)',
    );
    return 0;
  },
);
