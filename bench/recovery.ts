/**
 * Recovery after the tunnel is cut: an in-process client whose socket the benchmark kills, timed
 * from the cut to the next 200 through the gateway. Once after the tunnel held long enough for the
 * backoff to reset (a blip), and back to back (a flapping link, where the backoff grows by design).
 */
import http from 'node:http';
import { Agent } from '../client/agent';
import { createSession } from '../client/dev/session';
import { STABLE_AFTER_MS } from '../client/tunnel/supervisor';
import type { Target } from './load';

/** Cuts in each of the two series. */
export const RECOVERY_TRIALS = 5;

/** An in-process client (so its socket can be cut); time from the cut to the next 200. */
export async function measureRecovery(gatewayUrl: string, adminToken: string, gatewayPort: number, originPort: number) {
  const session = await createSession(gatewayUrl, adminToken);
  const agent = new Agent({
    gateway: gatewayUrl,
    token: session.token,
    ports: [originPort],
    visibility: () => 'public',
  });
  const url = new URL(await agent.url(originPort));
  const target: Target = { port: gatewayPort, host: url.host, path: '/small' };
  const status = () =>
    new Promise<number>((resolve) => {
      const req = http.get(
        { host: '127.0.0.1', port: target.port, path: target.path, headers: { host: target.host }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
    });
  /** Cut the live tunnel; milliseconds until the port answers 200 again (bounded: 30 s). */
  const cut = async () => {
    while ((await status()) !== 200) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    agent.connection?.terminate();
    while ((await status()) !== 200 && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 10));
    return performance.now() - t0;
  };
  // A blip: each cut comes after the tunnel held long enough for the backoff to start from its base.
  const isolated: number[] = [];
  for (let trial = 0; trial < RECOVERY_TRIALS; trial++) {
    isolated.push(await cut());
    await new Promise((r) => setTimeout(r, STABLE_AFTER_MS + 250));
  }
  // A flapping link: cuts back to back, so the backoff grows (by design) instead of redialling at once.
  const flapping: number[] = [];
  for (let trial = 0; trial < RECOVERY_TRIALS; trial++) flapping.push(await cut());
  const times = { isolated, flapping };
  agent.stop();
  return times;
}
