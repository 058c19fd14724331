/** porthole mcp: the running client's session as MCP tools for coding agents, over stdio (client/mcp/). */
import { clientCommand } from './command';
import { CONTROL } from './help';
import { UsageError } from './options';

export const MCP_HELP = `Usage: porthole mcp [--control <path>]

Serves the running client's session (porthole dev or connect) to a coding
agent as Model Context Protocol tools, over stdin and stdout. The agent host
starts it; stdout carries MCP messages only, logs go to stderr. It ends when
stdin closes. Start the client first (or any time later: until then a tool
answers {"error":"no_client"}).

  claude mcp add porthole -- porthole mcp

Tools (each answers the JSON the CLI prints with --json; a failure is an
error result with {"error","message",…}):
  list_ports       porthole ports             the ports and their URLs
  wait_for_port    porthole wait <port>       until the port answers; its URL
  expose           porthole expose <port>     expose any port (label, visibility)
  unexpose         porthole unexpose <port>   stop exposing a port
  set_visibility   porthole share <port> <v>  private, org, link or public
  create_link      porthole link <port>       a reviewer link (ttl, label)
  list_links       porthole links             the live reviewer links
  revoke_link      porthole revoke <id>       revoke a reviewer link
  login_url        porthole login <port>      one-time owner login for a browser
  list_requests    porthole requests          what reached the preview (filters)
  get_request      porthole requests <id>     one request: headers and bodies
  replay_request   porthole replay <id>       send a logged request again

Durations (ttl, timeout) are seconds as a number, or text: 30s, 10m, 1h30m.

Options:
${CONTROL}

Exit status: 0 when stdin ends, 2 on bad usage.
`;

export const mcp = clientCommand(MCP_HELP, {}, async ({ positionals }, control) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  // Loaded only here: the SDK is not needed by any other command, and they start faster without it.
  const { serveStdio } = await import('../mcp/server');
  await serveStdio(control);
  return 0;
});
