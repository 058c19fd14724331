/** porthole ports: the running client's ports, with their URLs. */
import { getJson } from '../control/client';
import { defaultControlPath } from '../control/paths';
import type { PortView } from '../events';
import { PORTS_HELP } from './help';
import { renderTable } from './live-table';
import { parse } from './options';

export async function ports(args: string[]): Promise<number> {
  const { values } = parse(args, {
    json: { type: 'boolean' },
    control: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(PORTS_HELP);
    return 0;
  }
  const path = values.control ?? defaultControlPath();
  const status = await getJson<{ session: string | null; gateway: string; tunnel: string; ports: PortView[] }>(
    path,
    '/v1/status',
  );
  if (values.json) {
    for (const port of status.ports) process.stdout.write(`${JSON.stringify(port)}\n`);
    return 0;
  }
  const lines = renderTable({ ...status, ports: new Map(status.ports.map((p) => [p.port, p])) });
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
