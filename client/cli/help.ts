/** Help texts: complete and accurate, one per command. */

export const MAIN_HELP = `porthole — expose ports of this machine as preview URLs through a Porthole gateway

Usage:
  porthole <command> [options]

Commands:
  dev              Start the local gateway (workerd on 127.0.0.1:8787) and a client for it
  connect          Connect this machine to a gateway; every port a server binds gets a URL
  ports            List the running client's ports and their URLs
  wait <port>      Wait until a port answers through the gateway, then print its URL
  session create   Create a session on a gateway (needs the admin token)
  help [command]   Show help for a command

Run 'porthole <command> --help' for a command's options.
`;

const AGENT = `Ports:
  Every TCP port a process on this machine starts listening on (on loopback
  or a wildcard address) gets a URL within a fraction of a second, and says
  "not listening" once it closes. Ports from the kernel's ephemeral range
  (32768-60999 on Linux: what port 0 and test runners get) and private
  services (port 22, sshd, …) are left out unless asked for.

  --port <n>            Also expose this port, listening or not (repeatable)
  --ignore <rules>      Never expose these: ports, ranges or process names,
                        comma-separated or repeated (e.g. 5432,9000-9100,redis-server)
  --only <rules>        Expose only these (same syntax; ephemeral ports included)
  --ephemeral           Also expose ports from the ephemeral range
  --no-watch            Do not detect ports; expose only --port ones
  --preserve-host <n|all>
                        Send the public Host to this port's origin instead of
                        Host: localhost:<n> (repeatable; 'all' for every port)

Output and control:
  --json                Print NDJSON events instead of human output: ready,
                        tunnel.up, tunnel.down, port.open, port.close, error
  --control <path>      Control socket for 'porthole ports' and 'porthole wait'
                        (default $PORTHOLE_CONTROL, else
                        $XDG_RUNTIME_DIR/porthole/control.sock, else
                        /tmp/porthole-<uid>/porthole/control.sock)
  -h, --help            Show this help

On a terminal the ports are shown as a live table; piped, as log lines.`;

export const DEV_HELP = `Usage: porthole dev [options]

Starts the gateway in workerd on this machine, creates (or reuses) a local
session, and runs a client for it. Secrets are generated on first run into
.dev.vars; state (session, ports) is kept in .porthole/.

Gateway:
  --listen <[host:]port>  Where the gateway listens (default 127.0.0.1:8787,
                        or $PORT; port 0 picks a free one)
  --state-dir <dir>     Folder for local state (default .porthole)

${AGENT}

Port URLs look like http://<port>-<session>-<sig>.localhost:8787/ ; Chromium
and curl resolve *.localhost to this machine.
`;

export const CONNECT_HELP = `Usage: porthole connect --gateway <url> --token <jwt> [options]

Holds a tunnel to the gateway, reconnecting with backoff when it drops, and
proxies each viewer request to 127.0.0.1:<port> (then ::1).

Gateway:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --token <jwt>         Session token (or $PORTHOLE_TOKEN)

${AGENT}
`;

export const PORTS_HELP = `Usage: porthole ports [--json] [--control <path>]

Lists the ports of the running client (porthole dev or connect): port,
process, visibility and URL.

Options:
  --json                One JSON object per port and line:
                        {"port","url","process","visibility","firstSeen"}
  --control <path>      The client's control socket (see porthole connect --help)
  -h, --help            Show this help

Exit status: 0, or 1 when no client is running.
`;

export const WAIT_HELP = `Usage: porthole wait <port> [--timeout 30s] [--json] [--control <path>]

Waits until <port> has a URL and a request to it through the gateway is
answered by the server on the port (not by a Porthole error page), then
prints the URL. For scripts and coding agents:

  python3 -m http.server 8000 &
  url=$(porthole wait 8000)

Options:
  --timeout <d>         Give up after this long: 500ms, 30s, 2m (default 30s)
  --json                Print {"port","url"} (or {"port","error","message"})
  --control <path>      The client's control socket (see porthole connect --help)
  -h, --help            Show this help

Exit status: 0 when the port answers, 1 on timeout or when no client runs,
2 on bad usage.
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
