/** porthole dev: the local default — gateway in workerd plus a client, on this machine. */
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GatewayProcess, startGatewayProcess } from '../dev/gateway-process';
import { lockState } from '../dev/lock';
import { loadOrCreateSecrets } from '../dev/secrets';
import { localSession } from '../dev/session';
import { ensurePrivateFolder } from '../local/private-path';
import { legacyStateIn, statePaths } from '../local/state-dir';
import { PortholeApiError } from '../net/http';
import { TunnelAuthError, TunnelSessionEndedError } from '../tunnel/errors';
import { clientCommand } from './command';
import { DEV_HELP } from './help';
import { identityOptions, members, ownerOf, policyOf } from './identity-flags';
import { agentFlags, agentOptions, check, parsePort } from './options';
import { CliError } from './output';
import { type CliSettings, cliSettings } from './repo-settings';
import { runAgent, sink } from './run-agent';

/** The gateway bundle, and the script that serves it in a process of its own, sit next to the CLI bundle in dist/. */
const GATEWAY_SCRIPT = fileURLToPath(new URL('./gateway.js', import.meta.url));
const GATEWAY_HOST = fileURLToPath(new URL('./gateway-host.js', import.meta.url));

/** `[host:]port` from `what` (--listen or PORTHOLE_LISTEN); host 127.0.0.1 by default, port 0 for any free one. */
function parseListen(text: string, what: string, problems: string[]): { host: string; port: number } {
  const match = /^(?:(.+):)?([0-9]+)$/.exec(text);
  if (!match) {
    problems.push(`${what}: '${text}' is not [host:]port`);
    return { host: '127.0.0.1', port: 0 };
  }
  // 0 asks for any free port (tests, several gateways on one machine).
  const port = match[2] === '0' ? 0 : parsePort(match[2] as string, what, problems);
  return { host: match[1] ?? '127.0.0.1', port };
}

/** Whether host:port can be bound, checked before workerd tries (its own failure is a crash dump). */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

const options = {
  ...agentOptions,
  ...identityOptions,
  listen: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

/**
 * Where the gateway listens: --listen, else $PORTHOLE_LISTEN, else 127.0.0.1:8787. Never $PORT: many
 * machines export it for the app being previewed, and the gateway must not take the app's port.
 */
function listenAddress(flag: string | undefined, problems: string[]): { host: string; port: number } {
  if (flag !== undefined) return parseListen(flag, '--listen', problems);
  const env = process.env.PORTHOLE_LISTEN;
  if (env) return parseListen(env, 'PORTHOLE_LISTEN', problems);
  return { host: '127.0.0.1', port: 8787 };
}

export const dev = clientCommand(DEV_HELP, options, async ({ values, positionals }, control, out) => {
  const problems: string[] = [];
  if (positionals.length > 0) problems.push(`unexpected argument '${positionals[0]}'`);
  const listen = listenAddress(values.listen, problems);
  // The gateway's own port is never a preview.
  const flags = agentFlags(values, problems, listen.port ? [String(listen.port)] : []);
  check(problems);
  // The client-only package (npm run pack:client) carries neither: say so before writing any state.
  if (!existsSync(GATEWAY_SCRIPT) || !existsSync(GATEWAY_HOST))
    throw new CliError(
      'gateway_not_included',
      'porthole dev runs the gateway on this machine and needs the full Porthole checkout ' +
        "(git clone, npm ci, npm start); this install is the client only: run 'porthole connect --gateway <url>' " +
        'against a running gateway',
    );
  const json = values.json ?? false;
  const say = (line: string) => {
    if (!json) process.stdout.write(`porthole: ${line}\n`);
  };

  // Per user, never the current folder: dev run from an app's folder writes nothing into it.
  const state = statePaths(values['state-dir']);
  const legacy = legacyStateIn(process.cwd(), state);
  if (legacy.length > 0) {
    const names = legacy.map((path) => relative(process.cwd(), path)).join(' and ');
    out.warn(
      `${names} here ${legacy.length > 1 ? 'are' : 'is'} no longer read or written; ` +
        `secrets and state now live in ${state.root} (move or delete ${names})`,
    );
  }
  // Refused (exit 1, with the fix) when another user owns it or may read it: it holds the secrets and the token.
  ensurePrivateFolder(state.root);
  // A second dev on this state folder exits 1 naming the process that holds it.
  const release = lockState(state.root);
  let settings: CliSettings | undefined;
  try {
    // The Durable Objects' storage too: created 0700 here, before workerd would create it 0755.
    ensurePrivateFolder(state.persist);
    const { secrets, created, vars, ignored } = loadOrCreateSecrets(state.secrets);
    if (created.length > 0) say(`generated ${created.join(', ')} into ${state.secrets} (kept private, never printed)`);
    if (ignored.length > 0)
      out.warn(
        `${state.secrets}: ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not a setting porthole dev ` +
          `passes to the local gateway (ignored; see the README's Configuration table)`,
      );
    // Names only: OIDC_CLIENT_SECRET's value is never printed.
    if (Object.keys(vars).length > 0) say(`gateway settings from ${state.secrets}: ${Object.keys(vars).join(', ')}`);

    if (listen.port !== 0 && !(await portFree(listen.host, listen.port))) {
      throw new Error(`${listen.host}:${listen.port} is already in use; pass --listen <port> to pick another`);
    }
    let gateway: GatewayProcess;
    try {
      // In a process of its own: Miniflare's heap would make every collection of the client's garbage slow.
      gateway = await startGatewayProcess(GATEWAY_HOST, {
        script: GATEWAY_SCRIPT,
        secrets,
        vars,
        host: listen.host,
        port: listen.port,
        persist: state.persist,
      });
    } catch (error) {
      const message = (error as Error).message;
      const inUse = /EADDRINUSE|address already in use/i.test(message);
      throw new Error(
        inUse
          ? `${listen.host}:${listen.port} is already in use; pass --listen <port> to pick another`
          : `the local gateway failed to start: ${message}`,
        { cause: error },
      );
    }
    say(`gateway (workerd) listening on ${gateway.url}`);
    say("new ports are private: sign in as their owner (see below), or run 'porthole share <port> org|link|public'");
    if (!flags.watch && flags.ports.length === 0) say('no ports exposed: pass --port <n>, or drop --no-watch');
    // The repository's settings (devcontainer.json, porthole.json), unless --no-settings: read before the agent starts.
    settings = cliSettings(values, flags.preserveHost);
    const onEvent = settings.sink(sink(json, gateway.url));
    // With --listen 0 the port is known only now.
    const watch = settings.watch(
      flags.watch && listen.port === 0 ? { ...flags.watch, excludePorts: [gateway.port] } : flags.watch,
    );

    // The gateway process ending by itself (a crash) ends the client too, with the reason.
    const gatewayGone = gateway.exited;
    const sessionFile = state.session;
    for (let attempt = 0; attempt < 2; attempt++) {
      const session = await localSession(sessionFile, gateway.url, secrets.ADMIN_TOKEN, {
        owner: ownerOf(values),
        policy: policyOf(values),
      }).catch((error: unknown) => {
        // The gateway's message names the vars; locally they go in dev.vars, not wrangler.toml.
        if (error instanceof PortholeApiError && error.code === 'identity_not_configured')
          throw new PortholeApiError(
            error.status,
            error.code,
            `${error.message} Locally: add OIDC_ISSUER and OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET) to ${state.secrets}.`,
          );
        throw error;
      });
      if (session.owner) {
        const who = session.owner.email ?? `${session.owner.subject} at ${session.owner.issuer}`;
        say(`owner: ${who}, signed in with the provider: no link needed, open ${gateway.url}/s/${session.session}`);
      }
      if (session.policy) say(`org (porthole share <port> org): ${members(session.policy)}`);
      const error = await runAgent(
        {
          gateway: gateway.url,
          token: session.token,
          ports: flags.ports,
          gatewayPort: gateway.port,
          watch,
          preserveHost: settings.preserveHost,
          visibility: settings.visibility(flags.visibility),
          requestLog: flags.requestLog,
          requestLogFile: flags.requestLogFile,
          onEvent,
        },
        control,
        gatewayGone,
        (agent) => settings?.attach(agent),
      );
      // A saved token signed with an older secret, or a saved session that has ended since (DELETE
      // /api/sessions/<id>, its expiry): start a fresh session once. One ended while running exits 3.
      const savedEnded = error instanceof TunnelSessionEndedError && error.atConnect;
      if ((error instanceof TunnelAuthError || savedEnded) && attempt === 0) {
        if (savedEnded) say('the saved session has ended: starting a new one');
        rmSync(sessionFile, { force: true });
        continue;
      }
      const exitCode = gateway.exitCode(); // Set only when the gateway ended by itself.
      await gateway.stop();
      if (error) throw error; // Reported by the entry point: an `error` event with its code under --json.
      if (exitCode !== undefined)
        throw new CliError('gateway_exited', `the local gateway process exited (code ${exitCode})`);
      return 0;
    }
    await gateway.stop();
    return 1;
  } finally {
    settings?.stop();
    release();
  }
});
dev.stream = true;
