/**
 * npm run bench — Porthole against baselines measured in the same run, on this machine:
 * Worker → Durable Object that answers itself and a bare pass-through Worker, each on Miniflare
 * and on workerd run directly, and direct to the origin (baselines.ts). Sections, one file each:
 * small GETs at c=1/32/256/1000 with error counts (small.ts), the request log's cost on them
 * (request-log.ts), server-sent events (sse.ts), 1 GiB
 * down and up with a Node client and with curl (bulk.ts), WebSockets (ws.ts), RSS, port
 * detection, recovery (lifecycle.ts), a client that stops reading (unread.ts), abandoned streams
 * and fairness (streams.ts), a platform's backend through the SDK (platform.ts), raw TCP
 * forwarding (tcp.ts). Every Porthole figure is printed with its ratio to the baselines
 * (Worker → DO first); nothing here asserts a target. Sub-commands: `node dist/bench.js ws |
 * unread | streams | log | identity | platform | tcp` run one section; `origin`, `load`,
 * `transfer`, `tcp-origin`, `tcp-probe` are the bench's own children.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import { callJson } from '../client/control/client';
import type { ApiOwnerToken } from '../protocol';
import { startBaselines } from './baselines';
import { bulkSection, runTransferChild } from './bulk';
import { fmt, type Named, spawnUntil, write } from './common';
import { DETECT_RANGE, lifecycleSection } from './lifecycle';
import { runLoadChild, type Target } from './load';
import { runOrigin } from './origin';
import { descendantsNamed, peakRssMiB } from './procs';
import { BENCH_IDENTITY_VARS, identitySection } from './identity';
import { platformSection } from './platform';
import { requestLogSection } from './request-log';
import { smallSection } from './small';
import { sseSection } from './sse';
import { tcpSection } from './tcp';
import { runTcpOrigin } from './tcp-origin';
import { runTcpProbe } from './tcp-probe';
import { measureStreams, streamsReport } from './streams';
import { measureUnread, runUnreadAlone, UNREAD_TITLE, unreadReport } from './unread';
import { webSocketSection } from './ws';

const WS_BYTES = Number(process.env.BENCH_WS_MIB ?? 256) * 1024 * 1024;
const here = fileURLToPath(import.meta.url);
const dist = fileURLToPath(new URL('.', import.meta.url));

async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  if (command === 'origin') return runOrigin();
  if (command === 'load') return runLoadChild(arg as string);
  if (command === 'transfer') return runTransferChild(arg as string);
  if (command === 'unread') return runUnreadAlone(`${dist}gateway.js`);
  if (command === 'platform') return platformSection(`${dist}gateway.js`, `${dist}cli.js`);
  if (command === 'tcp-origin') return runTcpOrigin();
  if (command === 'tcp-probe') return runTcpProbe(arg as string);
  if (command === 'tcp') return tcpSection(here, `${dist}gateway.js`, `${dist}cli.js`);
  if (command === 'streams') return write(streamsReport(await measureStreams(`${dist}gateway.js`), fmt));
  const onlyWebSockets = command === 'ws';

  const started = performance.now();
  write(`Porthole benchmark — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  write(
    'Load generator, origin, client and workerd share this machine; read every figure against the baselines of this same run.\n\n',
  );
  const origin = await spawnUntil([here, 'origin'], (line) => (JSON.parse(line) as { port: number }).port);
  const originPort = origin.value as number;

  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const before = new Set(descendantsNamed(process.pid, 'workerd'));
  // A provider and an organisation for the identity section (only checked as config; nothing is fetched).
  const gateway = await startGateway({ script: `${dist}gateway.js`, secrets, vars: BENCH_IDENTITY_VARS });
  const gatewayPids = descendantsNamed(process.pid, 'workerd').filter((p) => !before.has(p));
  const baselines = onlyWebSockets ? null : await startBaselines(originPort);

  const session = await createSession(gateway.url, secrets.ADMIN_TOKEN);
  // In a private folder of its own: the client refuses a control socket directly in the shared tmpdir.
  const controlFolder = mkdtempSync(join(tmpdir(), 'porthole-bench-'));
  const control = join(controlFolder, 'control.sock');
  const client = await spawnUntil(
    [
      `${dist}cli.js`,
      'connect',
      '--gateway',
      gateway.url,
      '--port',
      String(originPort),
      // Port detection is measured on this range; other ports of the machine stay out.
      '--only',
      `${DETECT_RANGE[0]}-${DETECT_RANGE[1]}`,
      // Detection trials open new ports: public, so the probe needs no credential.
      '--default-visibility',
      'public',
      '--control',
      control,
      '--json',
    ],
    (line) => {
      const event = JSON.parse(line) as { event: string; url?: string; port?: number };
      return event.event === 'port.open' && event.port === originPort ? event.url : undefined;
    },
    30_000,
    // The token goes through the environment: in argv every local user could read it (and the CLI warns).
    { PORTHOLE_TOKEN: session.token },
  );
  const portUrl = new URL(client.value as string);
  const stop = async () => {
    client.child.kill();
    origin.child.kill();
    await baselines?.stop();
    await gateway.stop();
    rmSync(controlFolder, { recursive: true, force: true });
  };
  const webSockets = () =>
    webSocketSection({
      originPort,
      gatewayPort: gateway.port,
      previewHost: portUrl.host,
      gatewayPids,
      bytes: WS_BYTES,
    });
  if (!baselines) {
    await webSockets();
    return stop();
  }
  const logSection = () =>
    requestLogSection({
      script: here,
      cli: `${dist}cli.js`,
      gatewayUrl: gateway.url,
      adminToken: secrets.ADMIN_TOKEN,
      originPort,
      logOn: { port: gateway.port, host: portUrl.host, path: '/small' },
    });
  const identity = () =>
    identitySection({
      script: here,
      cli: `${dist}cli.js`,
      gatewayUrl: gateway.url,
      gatewayPort: gateway.port,
      adminToken: secrets.ADMIN_TOKEN,
      tokenSecret: secrets.TOKEN_SECRET,
      originPort,
    });
  if (command === 'log') {
    await logSection();
    return stop();
  }
  if (command === 'identity') {
    await identity();
    return stop();
  }

  const porthole: Named = {
    name: 'Porthole',
    target: { port: gateway.port, host: portUrl.host, path: '/small' },
  };
  await smallSection(here, baselines.targets, porthole, {
    async enter(): Promise<Target> {
      // Every request now shows an owner token (checked by the Session object).
      await callJson(control, 'PATCH', `/v1/ports/${originPort}`, { visibility: 'private' });
      const owner = await callJson<ApiOwnerToken>(control, 'POST', '/v1/token', {});
      return { ...porthole.target, headers: { 'x-porthole-token': owner.token } };
    },
    async leave() {
      await callJson(control, 'PATCH', `/v1/ports/${originPort}`, { visibility: 'public' });
    },
  });
  await logSection();
  await identity();
  const direct = baselines.targets.find((b) => b.name === 'direct')?.target as Target;
  await sseSection(direct, porthole.target, originPort);

  const clientRssBeforeBulk = peakRssMiB(client.child.pid ?? 0);
  // The bare Workers only on request (BENCH_BULK_ALL=1): the run stays within ~6 minutes.
  const bulkBaselines = baselines.targets.filter(
    (b) => process.env.BENCH_BULK_ALL === '1' || !b.name.startsWith('bare'),
  );
  await bulkSection(here, bulkBaselines, porthole);
  await webSockets();
  write('\n');
  await lifecycleSection({
    clientPid: client.child.pid ?? 0,
    clientLines: client.lines,
    clientRssBeforeBulk,
    gatewayPids,
    gatewayUrl: gateway.url,
    gatewayPort: gateway.port,
    adminToken: secrets.ADMIN_TOKEN,
    labelKey: secrets.LABEL_KEY,
    session: session.session,
    originPort,
  });

  write(`\n${UNREAD_TITLE}\n`);
  write(unreadReport(await measureUnread(gateway.url, secrets.ADMIN_TOKEN, gatewayPids)));
  write('\n');
  write(streamsReport(await measureStreams(`${dist}gateway.js`), fmt));
  await stop();
  await platformSection(`${dist}gateway.js`, `${dist}cli.js`);
  await tcpSection(here, `${dist}gateway.js`, `${dist}cli.js`);
  write(`\nThe whole run took ${fmt((performance.now() - started) / 1000)} s.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
