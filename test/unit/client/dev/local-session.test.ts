import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSession } from '../../../../client/dev/session';

/** A stand-in for the admin API (POST /api/sessions) on loopback: records each body, answers a new session. */
let server: http.Server;
let gateway: string;
const bodies: unknown[] = [];
const dir = mkdtempSync(join(tmpdir(), 'porthole-session-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      bodies.push(body);
      const session = `s${bodies.length}`;
      const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ session, token: `t${bodies.length}`, expiresAt, urlTemplate: '', ...body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('localSession (porthole dev --owner-email … --org-domain …)', () => {
  it('creates the session with the owner and policy asked for, reuses it, and creates a new one when they change', async () => {
    const path = join(dir, 'session.json');
    const wanted = { owner: { email: 'alice@example.com' }, policy: { emailDomains: ['example.com'] } };
    const first = await localSession(path, gateway, 'admin', wanted);
    expect(bodies).toEqual([wanted]);
    expect(first.session).toBe('s1');
    // Same flags on the next run: the same session (same URLs), nothing asked of the gateway.
    expect((await localSession(path, gateway, 'admin', wanted)).session).toBe('s1');
    expect(bodies).toHaveLength(1);
    // Another policy: a session's owner and policy cannot change, so a new one.
    const other = { owner: wanted.owner, policy: { groups: ['eng'] } };
    expect((await localSession(path, gateway, 'admin', other)).session).toBe('s2');
    expect(bodies[1]).toEqual(other);
    // No flags at all: a session without owner or policy, as before.
    expect((await localSession(path, gateway, 'admin')).session).toBe('s3');
    expect(bodies[2]).toEqual({});
    expect((await localSession(path, gateway, 'admin')).session).toBe('s3');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ session: 's3', requested: {} });
  });

  it('keeps a session saved by an older porthole (no `requested`) when no owner or policy is asked for', async () => {
    const path = join(dir, 'old.json');
    await localSession(path, gateway, 'admin');
    const count = bodies.length;
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    delete saved.requested;
    writeFileSync(path, JSON.stringify(saved), { mode: 0o600 });
    expect((await localSession(path, gateway, 'admin')).session).toBe(saved.session);
    expect(bodies).toHaveLength(count);
  });
});
