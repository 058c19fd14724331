import { describe, expect, it } from 'vitest';
import { PortFilter, parseRules, RuleError } from '../../client/ports/filters';
import { isLocalOrWildcard, parseProcNet } from '../../client/ports/proc-net';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 20 4 30 10 -1
   3: 0B02A8C0:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1435 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6666 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7777 1 0000000000000000 100 0 0 10 0
`;

describe('/proc/net parsing', () => {
  it('reads LISTEN sockets with address, port and inode; skips other states', () => {
    expect(parseProcNet(TCP, 4)).toEqual([
      { port: 8080, address: '127.0.0.1', family: 4, inode: 1111 },
      { port: 3000, address: '0.0.0.0', family: 4, inode: 2222 },
      { port: 5432, address: '192.168.2.11', family: 4, inode: 4444 },
    ]);
    expect(parseProcNet(TCP6, 6)).toEqual([
      { port: 5173, address: '::1', family: 6, inode: 5555 },
      { port: 8000, address: '::', family: 6, inode: 6666 },
      { port: 9000, address: '::ffff:7f00:1', family: 6, inode: 7777 },
    ]);
  });

  it('keeps loopback and wildcard addresses only', () => {
    const kept = [...parseProcNet(TCP, 4), ...parseProcNet(TCP6, 6)].filter((s) => isLocalOrWildcard(s.address));
    expect(kept.map((s) => s.port)).toEqual([8080, 3000, 5173, 8000, 9000]);
  });

  it('tolerates empty and garbled files', () => {
    expect(parseProcNet('', 4)).toEqual([]);
    expect(parseProcNet('header\nnot a socket line\n', 6)).toEqual([]);
  });
});

describe('port rules', () => {
  const range: [number, number] = [32768, 60999];

  it('parses ports, lists, ranges and process names, and lists every bad entry', () => {
    const rules = parseRules(['22,5432', '9000-9100', 'postgres']);
    expect([...rules.ports]).toEqual([22, 5432]);
    expect(rules.ranges).toEqual([[9000, 9100]]);
    expect([...rules.names]).toEqual(['postgres']);
    expect(() => parseRules(['0', '70000', '9-1', 'a b'])).toThrow(RuleError);
    try {
      parseRules(['0', '9-1']);
    } catch (error) {
      expect((error as Error).message).toMatch(/'0'.*'9-1'/);
    }
  });

  it('ignores sshd and port 22 by default, and the ephemeral range unless asked', () => {
    const filter = new PortFilter({ ephemeralRange: range });
    expect(filter.reject(22, 'whatever')).toBe('ignored');
    expect(filter.reject(2222, 'sshd')).toBe('ignored');
    expect(filter.reject(3000, 'node')).toBeNull();
    expect(filter.reject(45000, 'node')).toBe('ephemeral');
    expect(new PortFilter({ ephemeral: true, ephemeralRange: range }).reject(45000, 'node')).toBeNull();
  });

  it('--ignore adds to the defaults; --only allows just its rules (ephemeral included), minus --ignore', () => {
    const ignore = new PortFilter({ ignore: ['5432', 'redis-server'], ephemeralRange: range });
    expect(ignore.allows(5432, 'postgres')).toBe(false);
    expect(ignore.allows(6379, 'redis-server')).toBe(false);
    expect(ignore.allows(8000, 'python3')).toBe(true);
    const only = new PortFilter({ only: ['3000-3999', '45000', 'vite'], ignore: ['3001'], ephemeralRange: range });
    expect(only.allows(3000, 'node')).toBe(true);
    expect(only.allows(3001, 'node')).toBe(false);
    expect(only.allows(45000, 'node')).toBe(true);
    expect(only.allows(5173, 'vite')).toBe(true);
    expect(only.allows(8000, 'python3')).toBe(false);
  });
});
