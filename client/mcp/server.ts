/**
 * `porthole mcp`: the running client's session as Model Context Protocol tools, served over
 * stdio with the official SDK. stdout belongs to the MCP transport (JSON-RPC messages only);
 * anything for a person goes to stderr. Every tool talks to the client through its control
 * socket, so one `porthole dev` or `connect` serves any number of agents.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { VERSION } from '../cli/version';
import { keepReporting } from './progress';
import { toolResult } from './result';
import type { PortholeTool } from './tool';
import { portTools } from './tools-ports';
import { requestTools } from './tools-requests';
import { shareTools } from './tools-share';

/** Every tool, in the order an agent reads them. */
export const TOOLS: readonly PortholeTool[] = [...portTools, ...shareTools, ...requestTools];

const INSTRUCTIONS = `Porthole gives the servers on this machine preview URLs through a gateway.
Verification loop: start the dev server, wait_for_port for its URL, set_visibility "link" and
create_link to share it, list_requests (filter by port, status "5xx", viewer "link") to see what
the reviewer's browser sent and what the app answered, get_request for headers and bodies,
replay_request to send a request again after a fix. Tool results are the JSON the porthole CLI
prints with --json; a failure is {"error","message"} with isError.`;

/** The MCP server with every tool, answering for the client whose control socket is at `control`. */
export function createServer(control: string): McpServer {
  const server = new McpServer({ name: 'porthole', version: VERSION }, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: tool.annotations },
      async (input: Record<string, unknown>, extra) => {
        const stop = keepReporting(extra, tool.name);
        try {
          return toolResult(await tool.run(input, control), tool.listKey);
        } finally {
          stop();
        }
      },
    );
  }
  return server;
}

/** Serves the tools on stdin/stdout until stdin ends (the agent host closed it); resolves then. */
export async function serveStdio(control: string): Promise<void> {
  const server = createServer(control);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  process.stderr.write(`porthole mcp: ${TOOLS.length} tools for the client at ${control}\n`);
  await closed;
}
