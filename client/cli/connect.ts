/** porthole connect: hold a tunnel to a gateway and expose ports. */
import { clientCommand } from './command';
import { CONNECT_HELP } from './help';
import { agentFlags, agentOptions, check } from './options';
import { cliSettings } from './repo-settings';
import { runAgent, sink } from './run-agent';
import { resolveToken } from './tokens';

const options = {
  ...agentOptions,
  gateway: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
} as const;

export const connect = clientCommand(CONNECT_HELP, options, async ({ values, positionals }, control, out) => {
  const problems: string[] = [];
  if (positionals.length > 0) problems.push(`unexpected argument '${positionals[0]}'`);
  const gateway = values.gateway ?? process.env.PORTHOLE_GATEWAY;
  const token = resolveToken(
    { flag: '--token', env: 'PORTHOLE_TOKEN', argv: values.token, file: values['token-file'] },
    problems,
    (line) => out.warn(line),
  );
  if (!gateway) problems.push('--gateway (or PORTHOLE_GATEWAY) is required');
  else if (!/^https?:\/\//.test(gateway)) problems.push(`--gateway: '${gateway}' must be an http:// or https:// URL`);
  if (!token) problems.push('a session token is required: PORTHOLE_TOKEN or --token-file <path>');
  const flags = agentFlags(values, problems);
  check(problems);
  // The repository's settings (devcontainer.json, porthole.json), unless --no-settings: read before the agent starts.
  const settings = cliSettings(values, flags.preserveHost);
  const onEvent = settings.sink(sink(values.json ?? false, gateway as string));
  let error: Awaited<ReturnType<typeof runAgent>>;
  try {
    error = await runAgent(
      {
        gateway: gateway as string,
        token: token as string,
        ports: flags.ports,
        watch: settings.watch(flags.watch),
        preserveHost: settings.preserveHost,
        visibility: settings.visibility(flags.visibility),
        requestLog: flags.requestLog,
        requestLogFile: flags.requestLogFile,
        onEvent,
      },
      control,
      undefined,
      (agent) => settings.attach(agent),
    );
  } finally {
    settings.stop();
  }
  if (error) throw error; // Reported by the entry point: an `error` event with its code under --json.
  return 0;
});
connect.stream = true;
