/** Help texts: complete and accurate, one per command. */

export const MAIN_HELP = `porthole — expose ports of this machine as preview URLs through a Porthole gateway

Usage:
  porthole <command> [options]

Commands:
  dev              Start the local gateway (workerd on 127.0.0.1:8787) and a client for it
  connect          Connect this machine to a gateway; every port a server binds gets a URL
  ports            List the running client's ports and their URLs
  wait <port>      Wait until a port answers through the gateway, then print its URL
  expose <port>    Expose any port now (excluded ones too), with --label, --visibility
  unexpose <port>  Stop exposing a port for the rest of the run
  share <port> <private|org|link|public>
                   Choose who may open a port's URL
  login <port>     Print a one-time link that logs this browser in as the owner
  link <port>      Print a reviewer link to a port (--ttl, --label)
  links            List the live reviewer links
  revoke <id>      Revoke a reviewer link at once
  requests [<id>]  List the requests the client served (--follow, filters), or one in full
  replay <id>      Send a logged request to its origin again and print the answer
  token            Print an owner token for tools (header X-Porthole-Token)
  dashboard        Print a one-time link to the session's dashboard (web page)
  signout --everywhere
                   Revoke every owner token, dashboard and preview login of the session
  session create   Create a session on a gateway (needs the admin token)
  session status   Show a session's state: active or asleep, tunnel, ports
  session end      End a session at once: its tunnel closes, its URLs answer 410
  forward <port>[:<local-port>]
                   On your machine: reach a session's TCP port (a database …)
                   at 127.0.0.1:<local-port> (needs an owner token)
  mcp              Serve the session to a coding agent as MCP tools (stdio)
  version          Print the CLI's version (also: porthole --version)
  help [command]   Show help for a command

Run 'porthole <command> --help' for a command's options.

Output: with --json every command prints exactly one JSON value on stdout (dev
and connect: one JSON event per line), failures included:
{"error":"<code>","message":"…"}. Warnings go to stderr. Exit status: 0
success; 1 refused, failed or timed out; 2 bad usage.
Durations (--ttl, --timeout): 90s, 10m, 1h30m, 7d, 500ms; a bare number is
seconds.
`;

const AGENT = `Ports:
  Every TCP port a process on this machine starts listening on (on loopback
  or a wildcard address) gets a URL within a fraction of a second, and says
  "not listening" once it closes. Ports from the kernel's ephemeral range
  (32768-60999 on Linux: what port 0 and test runners get) and private
  services (port 22, sshd, …) are left out unless asked for; 'porthole
  expose <port>' exposes any of them while the client runs.

  --port <n>            Also expose this port, listening or not (repeatable)
  --ignore <rules>      Never expose these: ports, ranges or process names,
                        comma-separated or repeated (e.g. 5432,9000-9100,redis-server)
  --only <rules>        Expose only these (same syntax; ephemeral ports included)
  --ephemeral           Also expose ports from the ephemeral range
  --no-watch            Do not detect ports; expose only --port ones
  --preserve-host <n|all>
                        Send the public Host to this port's origin instead of
                        Host: localhost:<n> (repeatable; 'all' for every port)

Dashboard:
  At start the client prints a one-time link to the session's dashboard (a
  web page listing the ports, their visibility and share links, updated
  live); 'porthole dashboard' prints a fresh one.

Who may open a port (share controls):
  A new port is private: only its owner gets in (porthole login <port> for a
  browser, porthole token for tools). 'porthole share' changes it later; the
  owner's choice is kept for that port number while the session lives.
  --default-visibility <private|org|link|public>
                        Visibility of ports this client announces (default private)
  --visibility <port[-port]>=<private|org|link|public>
                        Per-port rule, repeatable; the last matching rule wins
                        (e.g. --visibility 8000=public --visibility 3000-3999=link)

Settings in the repository:
  From the working folder upwards (never above the repository root), the
  first folder with either file gives the settings: .devcontainer/devcontainer.json
  (or .devcontainer.json; forwardPorts, portsAttributes and otherPortsAttributes:
  label, onAutoForward, protocol) and porthole.json (defaultVisibility,
  visibility, ignore, preserveHost). Edits apply at once; a file with a bad
  entry is reported (file:line:column) and its last good settings stay.
  Flags win over the files.
  --no-settings         Do not read settings files
  --open                Let onAutoForward openBrowser open a browser even when
                        stdout is not a terminal

Request log (every request the client serves, in memory; README "Request log"):
  --request-log <n>     Requests kept, newest last (default 1000, at most
                        100000, 32 MiB in all; 0 turns the log off)
  --request-body <size> Bytes of each request and response body kept, the rest
                        only counted (default 64KiB; e.g. 16384, 16KiB, 1MiB;
                        at most 16MiB)
  --request-log-file <path>
                        Also append each finished request (headers and bodies
                        as kept, credentials redacted) to <path> as an NDJSON
                        line; created 0600. Without it nothing is written to disk

Output and control:
  --json                Print NDJSON events instead of human output: ready,
                        tunnel.up, tunnel.down, port.open, port.login, port.share,
                        port.close, settings.reloaded, settings.error, error
  --control <path>      Control socket for 'porthole ports' and 'porthole wait'
                        (default $PORTHOLE_CONTROL, else
                        $XDG_RUNTIME_DIR/porthole/control.sock, else
                        /tmp/porthole-<uid>/control.sock; its folder must be
                        yours and 0700)
  -h, --help            Show this help

On a terminal the ports are shown as a live table, with a one-time sign-in
link for each private port; piped, as log lines, with one sign-in line for
the whole run (the dashboard's one-time link, which also opens the private
ports in that browser).`;

export const DEV_HELP = `Usage: porthole dev [options]

Starts the gateway in workerd on this machine (dashboard and API at
http://porthole.localhost:8787),
creates (or reuses) a local session, and runs a client for it. Secrets
(generated on first run into <state>/dev.vars, 0600; gateway vars such as
OIDC_ISSUER or ORIGIN_TIMEOUT go there too, not in wrangler.toml) and state (session,
ports, dev.lock) live in a per-user state folder, never in the current one:
$XDG_STATE_HOME/porthole, else ~/.local/state/porthole (folder 0700). A
.dev.vars or .porthole/ in the current folder is not read.

Gateway:
  --listen <[host:]port>  Where the gateway listens (default
                        $PORTHOLE_LISTEN, else 127.0.0.1:8787; port 0 picks a
                        free one). $PORT is not read: it is the app's
  --state-dir <dir>     Folder for secrets and state (default above); must be
                        yours and 0700, its files 0600, in folders no other
                        user may write (sticky ones, as /tmp, are fine)

Sign-in (needs OIDC_ISSUER and OIDC_CLIENT_ID, or ACCESS_TEAM_DOMAIN and
ACCESS_AUD, in <state>/dev.vars; the session is kept while these flags stay
the same, a new one is created when they change):
  --owner-email <addr>  The session's owner by identity: signed in as them, a
                        browser opens the dashboard and private ports
  --owner-issuer <url> --owner-subject <id>   The owner by the provider's id
  --org-domain <domain>…, --org-email <addr>…, --org-group <name>…
                        Who the 'org' visibility admits (repeatable)

${AGENT}

Port URLs look like http://<port>-<sig>.<session>.localhost:8787/ : each session
is a site of its own in browsers. Browsers and curl resolve *.localhost names to
this machine.
`;

export const CONNECT_HELP = `Usage: PORTHOLE_TOKEN=<jwt> porthole connect --gateway <url> [options]
       porthole connect --gateway <url> --token-file <path> [options]

Holds a tunnel to the gateway, reconnecting with backoff when it drops, and
proxies each viewer request to 127.0.0.1:<port> (then ::1).

Gateway:
  --gateway <url>       Gateway base URL (or $PORTHOLE_GATEWAY)
  --token-file <path>   Read the session token from this file (yours, 0600;
                        a trailing newline is ignored); default $PORTHOLE_TOKEN
  --token <jwt>         The token itself: works, with a warning, since other
                        local users can read a command line (ps)

${AGENT}
`;

export const PORTS_HELP = `Usage: porthole ports [--json] [--control <path>]

Lists the ports of the running client (porthole dev or connect): port,
process, visibility and URL.

Options:
  --json                One JSON array, an object per port:
                        [{"port","url","process","visibility","firstSeen",
                        "label","source","listening"}]: source is watched,
                        expose, flag or settings; listening tells whether
                        something accepts connections on the port now
  --control <path>      The client's control socket (see porthole connect --help)
  -h, --help            Show this help

Exit status: 0, or 1 when no client is running.
`;

export const WAIT_HELP = `Usage: porthole wait <port> [--timeout 30s] [--status 2xx] [--json] [--control <path>]

Waits until <port> has a URL and a request to it through the gateway is
answered by the server on the port (not by a Porthole error page), then
prints the URL. A client not running yet is waited for too (within the
timeout). For scripts and coding agents:

  python3 -m http.server 8000 &
  url=$(porthole wait 8000)

A port the client does not expose and will not expose by itself (the
ephemeral range, port 22, --ignore, unexposed) fails at once, saying why and
to run 'porthole expose <port>'; an exposed port with nothing listening yet
is waited for.

Options:
  --timeout <d>         Give up after this long: 500ms, 30s, 2m (default 30s;
                        a bare number is seconds)
  --status <s>          Wait until the server answers with this status (200)
                        or class of them (2xx); default: any answer of its own
  --json                Print {"port","url"} (or {"error","message","port"})
  --control <path>      The client's control socket (see porthole connect --help)
  -h, --help            Show this help

Exit status: 0 when the port answers, 1 on timeout, for a port that is not
exposed, or when no client runs, 2 on bad usage.
`;

export const CONTROL = `  --control <path>      The client's control socket (see porthole connect --help)
  -h, --help            Show this help`;

export const SHARE_HELP = `Usage: porthole share <port> private|org|link|public [--json]

Chooses who may open the port's URL; the next request obeys it.
  private   only the owner: a browser logged in with 'porthole login', or a
            tool sending X-Porthole-Token: <owner token> (porthole token)
  org       the owner, your organisation (people signed in at the gateway
            whom the session's policy admits: porthole session create
            --org-domain, or the gateway's ORG_EMAIL_DOMAINS/ORG_GROUPS),
            and whoever opens a share link. Refused (exit 1, the reason on
            stderr) when the session has no such policy
  link      the owner, and whoever opens a share link of 'porthole link'
  public    anyone with the URL
For a port nothing listens on right now, the choice is kept (it applies once
a server starts there) and a warning goes to stderr; the exit status is 0.

Options:
  --json                Print the port as JSON: {"port","url","visibility","listening",…}
${CONTROL}
`;

export const LINK_HELP = `Usage: porthole link <port> [--ttl 24h] [--label text] [--json]

Prints a reviewer link to the port. It opens the port in any browser (it
sets a cookie for that port's host and drops the token from the address) while
the port is 'link' or 'public', until it expires or you revoke it.

Options:
  --ttl <d>             Lifetime: 10m, 24h, 7d (default 24h, 1m to 30d)
  --label <text>        A note shown by 'porthole links' (e.g. who it is for)
  --json                Print {"id","url","port","expiresAt"} (and "label")
${CONTROL}
`;

export const LINKS_HELP = `Usage: porthole links [--json]

Lists the live reviewer links: id, port, time left, label and URL.

Options:
  --json                One JSON array, an object per link:
                        [{"id","url","port","expiresAt"} (and "label")]
${CONTROL}
`;

export const REVOKE_HELP = `Usage: porthole revoke <id> [--json]

Revokes a reviewer link at once: its next request gets "this link was
revoked" (410). Ids are listed by 'porthole links'.

Options:
  --json                Print the revoked link as JSON
${CONTROL}
`;

export const LOGIN_HELP = `Usage: porthole login <port> [--ttl 10m] [--json]

Prints a one-time link that logs a browser in as the session's owner. Opening
it sets an HttpOnly cookie for the port's host (and, one redirect each, for
the session's other private and link ports, so a front end on one port can
call an API on another), then shows the page without the token in the address.

Options:
  --ttl <d>             How long the link may wait to be opened (default 10m,
                        1m to 24h)
  --json                Print {"url","port","expiresAt"}
${CONTROL}
`;

export const TOKEN_HELP = `Usage: porthole token [--ttl 12h] [--json]

Prints an owner token for tools and agents. Send it as a header to open
private ports; the app's own Authorization header stays the app's:

  curl -H "X-Porthole-Token: $(porthole token)" <url>

It is also the bearer token of the owner API on the gateway's control domain.
It never outlives the session token, and 'porthole signout --everywhere'
ends it (and every other owner login) at once.

Options:
  --ttl <d>             Lifetime (default 12h, 1m to 7d, never past the session)
  --json                Print {"token","session","expiresAt"}
${CONTROL}
`;

export const DASHBOARD_HELP = `Usage: porthole dashboard [--ttl 10m] [--json]

Prints a one-time link to the session's dashboard, a web page on the gateway
(/s/<session>) that lists every port live — process, visibility, URL, first
seen, tunnel state — and changes who may open each, creates share links and
revokes them. Opening the link logs that browser in (an HttpOnly cookie for
the dashboard's path; never past the session token) and drops the token
from the address. 'porthole dev' and 'porthole connect' print one at start.
The page's "Sign out everywhere" button does what 'porthole signout
--everywhere' does.

Options:
  --ttl <d>             How long the link may wait to be opened (default 10m,
                        1m to 24h)
  --json                Print {"url"}
${CONTROL}
`;
