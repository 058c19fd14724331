/** porthole connect: hold a tunnel to a gateway and expose ports. */
import { CONNECT_HELP } from './help';
import { check, parse, portFlags, portOptions } from './options';
import { runAgent, sink } from './run-agent';

export async function connect(args: string[]): Promise<number> {
  const { values } = parse(args, {
    ...portOptions,
    gateway: { type: 'string' },
    token: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(CONNECT_HELP);
    return 0;
  }
  const problems: string[] = [];
  const gateway = values.gateway ?? process.env.PORTHOLE_GATEWAY;
  const token = values.token ?? process.env.PORTHOLE_TOKEN;
  if (!gateway) problems.push('--gateway (or PORTHOLE_GATEWAY) is required');
  else if (!/^https?:\/\//.test(gateway)) problems.push(`--gateway: '${gateway}' must be an http:// or https:// URL`);
  if (!token) problems.push('--token (or PORTHOLE_TOKEN) is required');
  const { ports, preserveHost } = portFlags(values, problems);
  check(problems);
  const onEvent = sink(values.json ?? false);
  if (ports.length === 0 && !values.json) {
    process.stdout.write('porthole: no ports exposed yet; pass --port <n> to expose one\n');
  }
  const error = await runAgent({ gateway: gateway as string, token: token as string, ports, preserveHost, onEvent });
  if (error) {
    onEvent({ event: 'error', message: error.message });
    return 1;
  }
  return 0;
}
