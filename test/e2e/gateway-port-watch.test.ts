/**
 * `porthole connect` beside a gateway on the same machine never announces the gateway's own port
 * (README "Which ports get a URL": left out), as `porthole dev` never announces its own: found by
 * the operator trial of issue 19, where the gateway's port got a URL that answered 404.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { type Harness, startAgent, startHarness } from './harness';
import { freePorts, nodeServer } from './servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

it("a watching client leaves out the local gateway's port, and announces the others", async () => {
  // The harness's gateway listens in this very process, which the watcher leaves out anyway: a
  // server of another process stands in for a gateway run beside the client (`gatewayPort`, which
  // the client otherwise reads from a loopback --gateway URL: exposure.ts localGatewayPort).
  const [port, gatewayPort] = (await freePorts(2)) as [number, number];
  await nodeServer(gatewayPort, '127.0.0.1', 'a gateway');
  await nodeServer(port, '127.0.0.1', 'the app');
  const a = await startAgent(h, [], {
    gatewayPort,
    watch: { filter: new PortFilter({ only: [String(gatewayPort), String(port)] }), intervalMs: 50 },
  });
  await a.event((e) => e.event === 'port.open' && e.port === port, `port ${port} announced`);
  // Scanned together with the app's port: had it been announced, it would be by now.
  expect(a.agent.ports().map((p) => p.port)).toEqual([port]);
  expect(a.agent.exposure(gatewayPort)).toMatchObject({ exposed: false, canExpose: false });
});
