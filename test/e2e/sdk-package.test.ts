/**
 * porthole/sdk as a package exports it (package.json `exports["./sdk"]`): the built ESM bundle
 * (dist/sdk.js) drives a live gateway, and its declarations (dist/sdk.d.ts, emitted by tsc) type a
 * consumer compiled with Node's own resolution (`nodenext`), with nothing typed `any`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Sdk from '../../client/sdk';
import { build, root } from '../../scripts/build.mjs';
import { afterTest, startHarness } from './harness';

const run = promisify(execFile);

beforeAll(async () => {
  await build({ only: ['sdk'] });
}, 120_000);

/** A consumer of the package by its name (a self-reference: resolved through package.json `exports`). */
const CONSUMER = `import { PortholeAdmin, PortholeApiError, PortholeSession, type ApiPort, type PortholeEvent } from 'porthole/sdk';

export async function use(gateway: string, adminToken: string): Promise<number | string> {
  const admin = new PortholeAdmin({ gateway, adminToken });
  const created = await admin.createSession({ ttlSeconds: 60 });
  const session: PortholeSession = new PortholeSession({ gateway, sessionToken: created.token });
  const ports: ApiPort[] = await session.ports();
  try {
    for await (const event of session.events({ signal: AbortSignal.timeout(1000) })) {
      const seen: PortholeEvent = event;
      if (seen.type === 'port.opened') return seen.data.url;
      // @ts-expect-error a snapshot has no port of its own: the union narrows on type
      if (seen.type === 'snapshot') return seen.data.port;
    }
  } catch (error) {
    if (error instanceof PortholeApiError) return error.code;
  }
  // @ts-expect-error setVisibility takes a visibility, not any string
  await session.setVisibility(3000, 'everyone');
  return ports.length;
}
`;

describe('porthole/sdk, built', () => {
  it('dist/sdk.js creates a session on a live gateway and refuses with its own PortholeApiError', async () => {
    const h = await startHarness();
    const sdk = (await import(pathToFileURL(join(root, 'dist', 'sdk.js')).href)) as typeof Sdk;
    const admin = new sdk.PortholeAdmin({ gateway: h.gateway.url, adminToken: h.adminToken });
    const created = await admin.createSession({ ttlSeconds: 600 });
    const session = new sdk.PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    expect(session.session).toBe(created.session);
    expect(await session.ports()).toEqual([]);
    const wrong = new sdk.PortholeAdmin({ gateway: h.gateway.url, adminToken: 'wrong' });
    const error = await wrong.createSession().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.PortholeApiError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('dist/sdk.d.ts types a consumer compiled with nodenext resolution', async () => {
    const dir = join(root, 'dist', 'sdk-consumer');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    afterTest(() => rmSync(dir, { recursive: true, force: true })); // Not left in dist/ for packing.
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
    const config = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['consumer.ts', '../sdk.d.ts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  }, 120_000);
});
