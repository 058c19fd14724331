/**
 * `porthole forward <port>[:<local-port>]`, on the owner's machine (docs/tcp-forwarding.md): listen
 * on 127.0.0.1:<local-port> and carry each local connection, byte for byte, to 127.0.0.1:<port> in
 * the session's VM (connection.ts). The credential is an owner token (PORTHOLE_OWNER_TOKEN,
 * --token-file) or a Cloudflare Access token (PORTHOLE_ACCESS_TOKEN with --session) of the owner
 * or a member of the session's organisation. Before it listens, the command asks the gateway
 * whether the port can be reached: a refused credential or an ended session stops it (exit 1, or
 * 3 for an ended session); an offline session or a port nothing listens on is a warning, as those
 * may change while it runs.
 */
import net from 'node:net';
import { decodeJwt } from 'jose';
import type { ApiForwardCheck } from '../../protocol/api';
import { isSessionId } from '../../protocol/ids';
import { forwardConnection, type ForwardOutcome, type ForwardTarget } from '../forward/connection';
import { PortholeApiError, requestJson } from '../net/http';
import { gatewayUrl, unreachable } from '../sdk/call';
import { command } from './command';
import { FORWARD_HELP } from './help-forward';
import { check, parsePort, UsageError } from './options';
import { CliError, type Output } from './output';
import { resolveToken } from './tokens';

const options = {
  gateway: { type: 'string' },
  session: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Refusals that no waiting heals: the command stops before listening. */
const FINAL = new Set([401, 403, 404, 410]);

export const forward = command(FORWARD_HELP, options, async ({ values, positionals }, out) => {
  if (positionals.length !== 1) throw new UsageError('give one port: porthole forward <port>[:<local-port>]');
  const problems: string[] = [];
  const [remoteText, localText] = (positionals[0] as string).split(':', 2) as [string, string | undefined];
  const port = parsePort(remoteText, 'port', problems);
  const localPort =
    localText === undefined ? port : localText === '0' ? 0 : parsePort(localText, 'local port', problems);
  const gateway = values.gateway ?? process.env.PORTHOLE_GATEWAY;
  if (!gateway) problems.push('--gateway (or PORTHOLE_GATEWAY) is required');
  const source = { flag: '--token', env: 'PORTHOLE_OWNER_TOKEN', argv: values.token, file: values['token-file'] };
  const token = resolveToken(source, problems, (line) => out.warn(line));
  const access = process.env.PORTHOLE_ACCESS_TOKEN || undefined;
  const session = values.session ?? (token ? sessionOf(token, problems) : undefined);
  if (!token && !access) {
    problems.push(
      'an owner token is required: PORTHOLE_OWNER_TOKEN or --token-file <path> (porthole token, in the session)',
    );
  } else if (!session) problems.push('--session <id> is required with PORTHOLE_ACCESS_TOKEN');
  else if (!isSessionId(session)) problems.push(`--session: '${session}' is not a session id`);
  let base: URL | undefined;
  try {
    if (gateway) base = gatewayUrl(gateway);
  } catch (error) {
    problems.push(`--gateway: ${(error as Error).message}`);
  }
  check(problems);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  // Behind Access the edge reads cf-access-token and sets the assertion itself; without it the gateway verifies this one.
  else if (access) Object.assign(headers, { 'cf-access-token': access, 'cf-access-jwt-assertion': access });
  const http = new URL(`/api/sessions/${session}/tcp/${port}`, base);
  const state = await checkPort(http, headers, port, out);
  const ws = new URL(http);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  return listen({ url: ws.toString(), headers }, port, localPort, state, session as string, out);
});

/** The session an owner token is for (its `sub`), or a problem. */
function sessionOf(token: string, problems: string[]): string | undefined {
  try {
    const sub = decodeJwt(token).sub;
    if (sub) return sub;
  } catch {
    // Said below.
  }
  problems.push('the owner token is not a Porthole token (no session in it): check PORTHOLE_OWNER_TOKEN');
  return undefined;
}

/** Ask the gateway whether `port` can be forwarded: the check's answer, or a warning kept (offline, not listening). */
async function checkPort(
  url: URL,
  headers: Record<string, string>,
  port: number,
  out: Output,
): Promise<ApiForwardCheck | null> {
  try {
    return await requestJson<ApiForwardCheck>({ method: 'GET', url, headers, timeoutMs: 15_000 });
  } catch (error) {
    if (!(error instanceof PortholeApiError)) throw unreachable(new URL(url.origin), error as Error);
    if (FINAL.has(error.status)) throw error;
    out.warn(
      `warning: port ${port}: ${error.message} (${error.code}); listening anyway, connections are refused until it is`,
    );
    return null;
  }
}

async function listen(
  target: ForwardTarget,
  port: number,
  localPort: number,
  state: ApiForwardCheck | null,
  session: string,
  out: Output,
): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  let count = 0;
  server.on('connection', (local) => {
    const id = ++count;
    forwardConnection(local, target, (outcome) => report(out, id, port, outcome));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        const other = localPort + 10000 <= 65535 ? localPort + 10000 : 0;
        const message = `127.0.0.1:${localPort} is in use on this machine: give another local port, e.g. porthole forward ${port}:${other}`;
        reject(new CliError('local_port_in_use', message, { local: localPort }));
      } else reject(error);
    });
    server.listen(localPort, '127.0.0.1', resolve);
  });
  const bound = (server.address() as net.AddressInfo).port;
  const process_ = state?.process ? ` (${state.process})` : '';
  out.result(
    {
      event: 'forwarding',
      local: `127.0.0.1:${bound}`,
      port,
      session,
      ...(state ? { visibility: state.visibility } : {}),
    },
    `forwarding 127.0.0.1:${bound} → port ${port}${process_} of session ${session}; Ctrl-C to stop`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.close();
  return 0;
}

function report(out: Output, id: number, port: number, outcome: ForwardOutcome): void {
  if (outcome.kind === 'closed') return;
  if (outcome.kind === 'refused') {
    out.warn(
      `connection ${id} to port ${port} refused: ${outcome.error.message} (${outcome.error.status} ${outcome.error.code})`,
    );
  } else out.warn(`connection ${id} to port ${port} ended: ${outcome.reason}`);
}
