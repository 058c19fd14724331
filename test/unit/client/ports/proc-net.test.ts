import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLocalOrWildcard, parseProcNet, readListening } from '../../../../client/ports/proc-net';

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

describe('readListening', () => {
  it('reads tcp and tcp6 under the root, one of them is enough, and throws when neither can be read', () => {
    const root = mkdtempSync(join(tmpdir(), 'porthole-proc-'));
    try {
      expect(() => readListening(root)).toThrow(/^cannot list listening ports: ENOENT/);
      mkdirSync(join(root, 'net'));
      writeFileSync(join(root, 'net', 'tcp6'), TCP6);
      expect(readListening(root).map((s) => s.port)).toEqual([5173, 8000, 9000]);
      writeFileSync(join(root, 'net', 'tcp'), TCP);
      expect(readListening(root).map((s) => s.port)).toEqual([8080, 3000, 5432, 5173, 8000, 9000]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
