/** Help text of `porthole session create|status|end`. */

export const SESSION_HELP = `Usage: PORTHOLE_ADMIN_TOKEN=<token> porthole session create --gateway <url> [options]
       porthole session create --gateway <url> --admin-token-file <path> [options]
       PORTHOLE_TOKEN=<token> porthole session status|end --gateway <url> [--json]
       PORTHOLE_ADMIN_TOKEN=<token> porthole session status|end --gateway <url> --session <id> [--json]

session create: creates a session and prints its id, session token and URL
template.
session status: prints the session's state (active or asleep), whether its
client is connected and since when, how many ports it has, and when it
expires.
session end: ends the session at once: its client's tunnel closes (the client
stops with exit code 3), every URL of it answers 410 "session ended", its
tokens, links and logins stop working, and the gateway keeps nothing of it.
An ended session cannot be started again: create a new one.

status and end take the session token (--token-file, $PORTHOLE_TOKEN), or
the admin token with --session <id> for any session. An ended session answers
410 session_ended (exit 3).

Options:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --admin-token-file <path>
                        Read the gateway's ADMIN_TOKEN from this file (yours,
                        0600); default $PORTHOLE_ADMIN_TOKEN
  --admin-token <tok>   The token itself: works, with a warning (ps shows it)
  --json                Print the answer as one JSON object

session create:
  --ttl <d>             Lifetime of the session token: 12h, 30d (default 30d,
                        1m to 365d; a bare number is seconds); the session ends
                        then
  --owner-email <addr>  The owner by identity: whoever signs in at the gateway
                        with this verified email opens the dashboard and private
                        ports (needs OIDC or Cloudflare Access on the gateway)
  --owner-issuer <url>  With --owner-subject: the owner by the provider's id;
  --owner-subject <id>  with --owner-email, the email must come from this issuer
  --org-domain <domain> The session's organisation (the org visibility):
  --org-email <addr>    people signed in with a verified email at this
  --org-group <name>    domain, with this address, or in this group; each
                        may be repeated (default: the gateway's
                        ORG_EMAIL_DOMAINS and ORG_GROUPS)

session status, session end:
  --session <id>        The session, with the admin token
  --token-file <path>   Read the session token from this file (yours, 0600);
                        default $PORTHOLE_TOKEN (used without --session)
  --token <jwt>         The session token itself: works, with a warning
  -h, --help            Show this help

Owner and org need a provider on the gateway: without one it refuses them
(identity_not_configured), and creates nothing.
`;
