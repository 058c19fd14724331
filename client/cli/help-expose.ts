/** Help texts of `porthole expose` and `porthole unexpose`. */
import { CONTROL } from './help';

export const EXPOSE_HELP = `Usage: porthole expose <port> [--label <text>] [--visibility private|org|link|public] [--json]

Exposes <port> through the running client (porthole dev or connect) until
'porthole unexpose' or the client ends, whether or not anything listens on
it yet: any port 1-65535, also those the client leaves out by itself (the
ephemeral range, port 22, --ignore, --only), but not the local gateway's own.
Prints the port's URL once the gateway has announced it. A private port
opens in a browser after 'porthole login <port>'.

  python3 -m http.server 40123 &
  porthole expose 40123 --label "Test fixture"

Options:
  --label <text>        What to call the port (1-64 characters): shown in the
                        live table, the dashboard and 'porthole ports'
  --visibility <v>      Who may open it: private (default), org, link or public
                        (an owner's earlier 'porthole share' for the port wins)
  --json                Print the port as one JSON object:
                        {"port","url","visibility","label","source","listening"}
${CONTROL}

Exit status: 0 when exposed, 1 when refused (the gateway's port) or no client
runs, 2 on bad usage.
`;

export const UNEXPOSE_HELP = `Usage: porthole unexpose <port> [--json]

Stops exposing <port>, whatever exposed it (the port watcher, --port, the
settings, 'porthole expose'): its URL answers "not exposed" from now on. A
watched port stays unexposed for the rest of the run, even while a server
listens on it, until 'porthole expose <port>'.

Options:
  --json                Print {"port","exposed":false}
${CONTROL}

Exit status: 0 when unexposed, 1 when the port was not exposed or no client
runs, 2 on bad usage.
`;
