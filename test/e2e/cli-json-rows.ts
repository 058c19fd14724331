/**
 * The rows of cli-json.test.ts: for every command, a success, a refusal or failure (exit 1) and a
 * usage error (exit 2), each run with --json. Adding a command is adding its rows here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { root } from '../../scripts/build.mjs';

export type Value = Record<string, unknown> | Record<string, unknown>[];

export interface Fixture {
  cwd: string;
  port: number;
  never: number;
  gateway: string;
  adminFile: string;
  /** A control socket path in a private folder where no client runs. */
  noClient: string;
  linkId: string;
  sessionToken: string;
  /** A request in the client's log that went well (set by the `requests` row). */
  requestId: number;
}

export interface Row {
  name: string;
  args: (f: Fixture) => string[];
  exit: 0 | 1 | 2;
  /** For a success: more checks on the value (and on the fixture). */
  check?: (value: Value, f: Fixture) => void;
  /** A stream (NDJSON): run until this line, then SIGINT (success rows of dev/connect). */
  until?: (line: Record<string, unknown>) => boolean;
  /** Environment variables on top of this process's. */
  env?: (f: Fixture) => NodeJS.ProcessEnv;
}

/** The commands that talk to the running client: each row gets the fixture's control socket unless it names one. */
export const CLIENT_COMMANDS = new Set([
  'ports',
  'wait',
  'share',
  'link',
  'links',
  'revoke',
  'login',
  'token',
  'dashboard',
  'signout',
  'expose',
  'unexpose',
  'requests',
  'replay',
]);
export const STREAMS = new Set(['dev', 'connect']);

const ok = (name: string, args: Row['args'], check?: Row['check']): Row => ({ name, args, exit: 0, check });
const refused = (name: string, args: Row['args']): Row => ({ name, args, exit: 1 });
const usage = (name: string, args: Row['args']): Row => ({ name, args, exit: 2 });
/** Every client command, once with a control socket nobody answers on. */
const noClient = (name: string, args: string[]) =>
  refused(`${name}: no client running`, (f) => [...args, '--json', '--control', f.noClient]);

export const rows: Row[] = [
  ok(
    'version',
    () => ['version', '--json'],
    (v) => expect(v).toEqual({ version: pkgVersion() }),
  ),
  ok(
    '--version',
    () => ['--version', '--json'],
    (v) => expect(v).toEqual({ version: pkgVersion() }),
  ),
  usage('version: extra argument', () => ['version', 'now', '--json']),
  usage('unknown command', () => ['nosuch', '--json']),
  usage('no command, only --json', () => ['--json']),

  ok(
    'ports',
    () => ['ports', '--json'],
    (v, f) => expect(v).toEqual([expect.objectContaining({ port: f.port })]),
  ),
  noClient('ports', ['ports']),
  usage('ports: unknown option', () => ['ports', '--bogus', '--json']),

  ok(
    'wait',
    (f) => ['wait', String(f.port), '--timeout', '20s', '--json'],
    (v, f) => {
      expect(v).toMatchObject({ port: f.port, url: expect.stringContaining(`${f.port}-`) });
    },
  ),
  noClient('wait', ['wait', '3000', '--timeout', '5s']),
  refused('wait: timeout', (f) => ['wait', String(f.never), '--timeout', '300ms', '--json']),
  usage('wait: bad duration', (f) => ['wait', String(f.port), '--timeout', '90x', '--json']),
  usage('wait: bad status', (f) => ['wait', String(f.port), '--status', 'teapot', '--json']),

  ok(
    'requests (after wait: its probes are in the log)',
    () => ['requests', '--status', '200', '--json'],
    (v, f) => {
      const list = v as { id: number; status: number }[];
      expect(list.length).toBeGreaterThan(0);
      f.requestId = (list[0] as { id: number }).id;
    },
  ),
  ok(
    'requests <id>',
    (f) => ['requests', String(f.requestId), '--json'],
    (v, f) => expect(v).toMatchObject({ id: f.requestId, status: 200, request: { headers: expect.any(Array) } }),
  ),
  refused('requests: no such request', () => ['requests', '999999', '--json']),
  noClient('requests', ['requests']),
  usage('requests: bad --status', () => ['requests', '--status', '7xx', '--json']),

  ok(
    'replay',
    (f) => ['replay', String(f.requestId), '--json'],
    (v, f) => expect(v).toMatchObject({ replayOf: f.requestId, viewer: { kind: 'replay' }, status: 200 }),
  ),
  refused('replay: no such request', () => ['replay', '999999', '--json']),
  noClient('replay', ['replay', '1']),
  usage('replay: bad id', () => ['replay', 'first', '--json']),

  ok(
    'share',
    (f) => ['share', String(f.port), 'link', '--json'],
    (v) => expect(v).toMatchObject({ visibility: 'link' }),
  ),
  ok(
    'share: nothing listens (a warning)',
    (f) => ['share', String(f.never), 'private', '--json'],
    (v, f) => {
      expect(v).toMatchObject({
        port: f.never,
        listening: false,
        warnings: [expect.stringContaining('nothing listens')],
      });
    },
  ),
  noClient('share', ['share', '3000', 'public']),
  usage('share: bad visibility', (f) => ['share', String(f.port), 'everyone', '--json']),

  ok(
    'expose',
    (f) => ['expose', String(f.never), '--label', 'fixture', '--json'],
    (v, f) => expect(v).toMatchObject({ port: f.never, label: 'fixture', source: 'expose' }),
  ),
  noClient('expose', ['expose', '3000']),
  usage('expose: bad label', (f) => ['expose', String(f.never), '--label', 'a\tb', '--json']),
  ok(
    'unexpose',
    (f) => ['unexpose', String(f.never), '--json'],
    (v, f) => expect(v).toMatchObject({ port: f.never, exposed: false }),
  ),
  refused('unexpose: not exposed', (f) => ['unexpose', String(f.never), '--json']),
  refused('wait: a port held out', (f) => ['wait', String(f.never), '--timeout', '20s', '--json']),
  noClient('unexpose', ['unexpose', '3000']),
  usage('unexpose: no port', () => ['unexpose', '--json']),

  ok(
    'link',
    (f) => ['link', String(f.port), '--ttl', '1h30m', '--json'],
    (v, f) => {
      const link = v as { id: string; expiresAt: string };
      expect(Math.abs(Date.parse(link.expiresAt) - Date.now() - 5_400_000)).toBeLessThan(60_000);
      f.linkId = link.id;
    },
  ),
  noClient('link', ['link', '3000']),
  usage('link: --ttl too long', (f) => ['link', String(f.port), '--ttl', '90d', '--json']),

  ok(
    'links',
    () => ['links', '--json'],
    (v, f) => expect(v).toEqual([expect.objectContaining({ id: f.linkId })]),
  ),
  noClient('links', ['links']),
  usage('links: extra argument', () => ['links', 'all', '--json']),

  ok(
    'revoke',
    (f) => ['revoke', f.linkId, '--json'],
    (v, f) => expect(v).toMatchObject({ id: f.linkId }),
  ),
  refused('revoke: no such link', () => ['revoke', 'nosuchlink', '--json']),
  usage('revoke: no id', () => ['revoke', '--json']),

  ok(
    'login',
    (f) => ['login', String(f.port), '--json'],
    (v) => expect(v).toHaveProperty('url'),
  ),
  noClient('login', ['login', '3000']),
  usage('login: --ttl too long', (f) => ['login', String(f.port), '--ttl', '2d', '--json']),

  ok(
    'token',
    () => ['token', '--ttl', '1h', '--json'],
    (v) => expect(v).toHaveProperty('token'),
  ),
  noClient('token', ['token']),
  usage('token: --ttl too long', () => ['token', '--ttl', '8d', '--json']),

  ok(
    'dashboard',
    () => ['dashboard', '--json'],
    (v) => expect(Object.keys(v)).toEqual(['url']),
  ),
  noClient('dashboard', ['dashboard']),
  usage('dashboard: --ttl zero', () => ['dashboard', '--ttl', '0', '--json']),

  ok(
    'session create',
    (f) => ['session', 'create', '--gateway', f.gateway, '--admin-token-file', f.adminFile, '--ttl', '1d', '--json'],
    (v, f) => {
      const created = v as { token: string; expiresAt: string };
      expect(Math.abs(Date.parse(created.expiresAt) - Date.now() - 86_400_000)).toBeLessThan(60_000);
      f.sessionToken = created.token;
    },
  ),
  {
    ...refused('session create: wrong admin token', (f) => ['session', 'create', '--gateway', f.gateway, '--json']),
    env: () => ({ PORTHOLE_ADMIN_TOKEN: 'wrong' }),
  },
  usage('session create: --ttl too long', (f) => [
    'session',
    'create',
    '--gateway',
    f.gateway,
    '--admin-token-file',
    f.adminFile,
    '--ttl',
    '400d',
    '--json',
  ]),

  {
    ...refused('session status: a token that names no session', (f) => [
      'session',
      'status',
      '--gateway',
      f.gateway,
      '--json',
    ]),
    env: () => ({ PORTHOLE_TOKEN: 'bogus' }),
  },
  {
    ...refused('session end: wrong admin token', (f) => [
      'session',
      'end',
      '--gateway',
      f.gateway,
      '--session',
      'aaaaaaaaaaaaaaaa',
      '--json',
    ]),
    env: () => ({ PORTHOLE_ADMIN_TOKEN: 'wrong' }),
  },
  {
    ...usage('session status: no token', (f) => ['session', 'status', '--gateway', f.gateway, '--json']),
    env: () => ({ PORTHOLE_TOKEN: '', PORTHOLE_ADMIN_TOKEN: '' }),
  },
  usage('session end: --ttl is for create', (f) => [
    'session',
    'end',
    '--gateway',
    f.gateway,
    '--admin-token-file',
    f.adminFile,
    '--session',
    'aaaaaaaaaaaaaaaa',
    '--ttl',
    '1h',
    '--json',
  ]),

  {
    ...ok('connect', (f) => [
      'connect',
      '--json',
      '--gateway',
      f.gateway,
      '--no-watch',
      '--control',
      join(f.cwd, 'connect.sock'),
    ]),
    until: (line) => line.event === 'tunnel.up',
    env: (f) => ({ PORTHOLE_TOKEN: f.sessionToken }),
  },
  {
    ...refused('connect: refused token', (f) => [
      'connect',
      '--json',
      '--gateway',
      f.gateway,
      '--no-watch',
      '--control',
      join(f.cwd, 'refused.sock'),
    ]),
    env: () => ({ PORTHOLE_TOKEN: 'bogus' }),
  },
  usage('connect: no gateway', () => ['connect', '--json']),
  {
    ...ok(
      'session status',
      (f) => ['session', 'status', '--gateway', f.gateway, '--json'],
      (v) => expect(v).toMatchObject({ state: 'active', tunnel: expect.any(String), ports: expect.any(Number) }),
    ),
    env: (f) => ({ PORTHOLE_TOKEN: f.sessionToken }),
  },
  {
    ...ok(
      'session end',
      (f) => ['session', 'end', '--gateway', f.gateway, '--json'],
      (v) => expect(v).toMatchObject({ state: 'ended', endedAt: expect.any(String) }),
    ),
    env: (f) => ({ PORTHOLE_TOKEN: f.sessionToken }),
  },

  refused('dev: port in use', (f) => [
    'dev',
    '--json',
    '--listen',
    `127.0.0.1:${new URL(f.gateway).port}`,
    '--state-dir',
    join(f.cwd, 'other'),
  ]),
  usage('dev: bad --listen', () => ['dev', '--json', '--listen', 'nowhere']),

  ok(
    'signout (last: it ends owner logins)',
    () => ['signout', '--everywhere', '--json'],
    (v) => expect(v).toHaveProperty('epoch'),
  ),
  noClient('signout', ['signout', '--everywhere']),
  usage('signout: without --everywhere', () => ['signout', '--json']),
];

function pkgVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
