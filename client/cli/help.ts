/** Help texts: complete and accurate, one per command. */

export const MAIN_HELP = `porthole — expose ports of this machine as preview URLs through a Porthole gateway

Usage:
  porthole <command> [options]

Commands:
  dev              Start the local gateway (workerd on 127.0.0.1:8787) and a client for it
  connect          Connect this machine to a gateway and expose ports
  session create   Create a session on a gateway (needs the admin token)
  help [command]   Show help for a command

Run 'porthole <command> --help' for a command's options.
`;

const SHARED = `  --port <n>            Expose this local port (repeatable)
  --preserve-host <n|all>
                        Send the public Host to this port's origin instead of
                        Host: localhost:<n> (repeatable; 'all' for every port)
  --json                Print NDJSON events (ready, tunnel.up, tunnel.down,
                        port.open, port.close, error) instead of human lines
  -h, --help            Show this help`;

export const DEV_HELP = `Usage: porthole dev [options]

Starts the gateway in workerd on this machine, creates (or reuses) a local
session, and runs a client that exposes the given ports. Secrets are generated
on first run into .dev.vars; state (sessions, ports) is kept in .porthole/.

Options:
  --listen <[host:]port>  Where the gateway listens (default 127.0.0.1:8787,
                        or $PORT; port 0 picks a free one)
  --state-dir <dir>     Folder for local state (default .porthole)
${SHARED}

Port URLs look like http://<port>-<session>-<sig>.localhost:8787/ ; Chromium
and curl resolve *.localhost to this machine.
`;

export const CONNECT_HELP = `Usage: porthole connect --gateway <url> --token <jwt> [options]

Holds a tunnel to the gateway, reconnecting with backoff when it drops, and
proxies each viewer request to 127.0.0.1:<port> (then ::1).

Options:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --token <jwt>         Session token (or $PORTHOLE_TOKEN)
${SHARED}
`;

export const SESSION_HELP = `Usage: porthole session create --gateway <url> --admin-token <token> [options]

Creates a session and prints its id, session token and URL template.

Options:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --admin-token <tok>   The gateway's ADMIN_TOKEN (or $PORTHOLE_ADMIN_TOKEN)
  --ttl <seconds>       Lifetime of the session token (default 30 days)
  --json                Print the session as one JSON object
  -h, --help            Show this help
`;
