/** porthole ports: the running client's ports, with their URLs. */
import type { AgentStatus } from '../agent';
import { getJson } from '../control/client';
import { clientCommand } from './command';
import { PORTS_HELP } from './help';
import { renderTable } from './live-table';

export const ports = clientCommand(PORTS_HELP, { json: { type: 'boolean' } }, async ({ values }, control) => {
  const status = await getJson<AgentStatus>(control, '/v1/status');
  if (values.json) {
    for (const port of status.ports) process.stdout.write(`${JSON.stringify(port)}\n`);
    return 0;
  }
  const lines = renderTable({ ...status, ports: new Map(status.ports.map((p) => [p.port, p])) });
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
});
