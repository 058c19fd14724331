/**
 * The local gateway in a process of its own: `porthole dev` spawns `node dist/gateway-host.js`, so
 * Miniflare's large heap and the front server's work stay out of the client's process (each
 * collection of the client's per-frame garbage walks the whole heap of the process it lives in).
 * Protocol with the parent (gateway-process.ts): the GatewayOptions as one JSON line on stdin
 * (secrets never in argv), then one JSON line on stdout, `{"url","port"}` once serving or
 * `{"error"}`; it runs until its stdin ends (the parent is gone) or SIGTERM/SIGINT, then stops the
 * gateway and exits 0.
 */
import { createInterface } from 'node:readline';
import { type GatewayOptions, type LocalGateway, startGateway } from './gateway';

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const first = await new Promise<string | undefined>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(undefined));
  });
  if (first === undefined) return;
  let gateway: LocalGateway;
  try {
    gateway = await startGateway(JSON.parse(first) as GatewayOptions);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify({ url: gateway.url, port: gateway.port })}\n`);
  await new Promise<void>((resolve) => {
    lines.once('close', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await gateway.stop();
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`porthole gateway: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
