/** porthole expose / unexpose: expose any port at runtime, or stop exposing one, through the running client. */
import { isPortLabel, isVisibility, portLabelProblem } from '../../protocol';
import { callJson } from '../control/client';
import type { PortStatus } from '../events';
import { clientCommand } from './command';
import { EXPOSE_HELP, UNEXPOSE_HELP } from './help-expose';
import { check, parsePort, UsageError } from './options';

/** POST /v1/ports answers the port as announced, or `pending` while the tunnel is down. */
type Exposed = PortStatus | { port: number; source: 'expose'; label?: string; pending: true };

function onePort(positionals: string[], usage: string, problems: string[]): number {
  if (positionals.length !== 1) throw new UsageError(`give exactly one port: ${usage}`);
  return parsePort(positionals[0] as string, 'port', problems);
}

const exposeOptions = { label: { type: 'string' }, visibility: { type: 'string' }, json: { type: 'boolean' } } as const;

export const expose = clientCommand(EXPOSE_HELP, exposeOptions, async ({ values, positionals }, control, out) => {
  const problems: string[] = [];
  const port = onePort(positionals, 'porthole expose <port> [--label text] [--visibility v]', problems);
  const { label, visibility } = values;
  if (label !== undefined && !isPortLabel(label)) problems.push(`--label: ${portLabelProblem(label)}`);
  if (visibility !== undefined && !isVisibility(visibility)) {
    problems.push(`--visibility: '${visibility}' is not private, org, link or public`);
  }
  check(problems);
  const result = await callJson<Exposed>(control, 'POST', '/v1/ports', { port, label, visibility });
  if ('pending' in result) {
    out.result(result, `port ${port} is exposed; its URL comes once the tunnel is up (porthole ports)`);
    return 0;
  }
  const idle = result.listening ? '' : ` Nothing listens on port ${port} yet: start the server and it answers.`;
  if (result.refused) {
    // Exposed, but not as asked (an `org` without an org policy is private): said, and a failure for scripts.
    out.warn(`port ${port} is ${result.visibility}, not ${visibility ?? 'as asked'}: ${result.refused}`);
    out.result(result, result.url);
    return 1;
  }
  if (result.visibility === 'org') {
    out.warn(
      `port ${port} is org: your organisation opens it signed in at the gateway, you too (or 'porthole login ${port}').${idle}`,
    );
  } else if (result.visibility !== 'public') {
    out.warn(`port ${port} is ${result.visibility}: open it in a browser with 'porthole login ${port}'.${idle}`);
  } else if (idle) {
    out.warn(idle.trim());
  }
  out.result(result, result.url);
  return 0;
});

export const unexpose = clientCommand(
  UNEXPOSE_HELP,
  { json: { type: 'boolean' } },
  async ({ positionals }, control, out) => {
    const problems: string[] = [];
    const port = onePort(positionals, 'porthole unexpose <port>', problems);
    check(problems);
    const result = await callJson<{ port: number; exposed: false }>(control, 'DELETE', `/v1/ports/${port}`);
    out.result(result, `port ${port} is no longer exposed`);
    return 0;
  },
);
