/** Help text of `porthole forward`. */

export const FORWARD_HELP = `Usage: PORTHOLE_OWNER_TOKEN=<token> porthole forward <port>[:<local-port>] --gateway <url>
       porthole forward <port>[:<local-port>] --gateway <url> --token-file <path>
       PORTHOLE_ACCESS_TOKEN=<jwt> porthole forward <port>[:<local-port>] --gateway <url> --session <id>

Run on your own machine: listens on 127.0.0.1:<local-port> (default: the same
number as <port>; 0 picks a free one) and carries each connection made to it,
byte for byte, to 127.0.0.1:<port> inside the session's machine, through the
gateway and the session's tunnel: a database, Redis, a debugger, any TCP
server. Both directions are flow-controlled (a side that does not read holds
the other back) and half-close is kept (a shutdown of one direction reaches
the other end as such).

  porthole forward 5432 --gateway https://porthole.example.com
  psql -h 127.0.0.1 -p 5432 -U postgres

Who may: the session's owner (an owner token: run 'porthole token' in the
session, and give it as $PORTHOLE_OWNER_TOKEN or --token-file), or, on a
gateway behind Cloudflare Access, the owner or a member of the session's
organisation on a port shared with it (org or public), with an Access token
('cloudflared access token') as $PORTHOLE_ACCESS_TOKEN and --session. A share
link or a public port gives no TCP access: those stay HTTP only.

Before it listens, the command asks the gateway whether the port can be
reached. A refused credential stops it (exit 1; an ended session: exit 3). A
session that is offline or a port nothing listens on is a warning: it listens
anyway, and each connection made meanwhile is refused with the reason printed
(the local program sees its connection reset, before any byte). A connection
that fails later (the server in the session closed it with an error, the
tunnel was lost) is reset the same way; the listener stays, and the next
connection goes through once the session is back.

Options:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --token-file <path>   Read the owner token from this file (yours, 0600);
                        default $PORTHOLE_OWNER_TOKEN
  --token <tok>         The token itself: works, with a warning (ps shows it)
  --session <id>        The session (read from the owner token when omitted)
  --json                Print the forwarding line as one JSON object

Stops on Ctrl-C (exit 0); open connections are cut.
`;
