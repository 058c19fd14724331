/** porthole ports: the running client's ports, with their URLs. */
import type { AgentStatus } from '../agent';
import { getJson } from '../control/client';
import { clientCommand } from './command';
import { PORTS_HELP } from './help';
import { renderTable } from './live-table';
import { UsageError } from './options';

export const ports = clientCommand(PORTS_HELP, { json: { type: 'boolean' } }, async ({ positionals }, control, out) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const status = await getJson<AgentStatus>(control, '/v1/status');
  const lines = renderTable({ ...status, ports: new Map(status.ports.map((p) => [p.port, p])) });
  // --json: one array (empty when no port is open), so that any answer parses as one JSON value.
  out.result(status.ports, lines.join('\n'));
  return 0;
});
