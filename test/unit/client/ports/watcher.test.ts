import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PortFilter } from '../../../../client/ports/filters';
import { PortWatcher, type WatchedPort } from '../../../../client/ports/watcher';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
/** A LISTEN socket on 127.0.0.1:3000 (0x0BB8), inode 4242, as /proc/net/tcp writes it. */
const LISTEN_3000 =
  '   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0';

describe('PortWatcher on a /proc it cannot read', () => {
  let root: string;
  let watcher: PortWatcher | null = null;
  beforeEach(() => {
    vi.useFakeTimers();
    root = mkdtempSync(join(tmpdir(), 'porthole-proc-'));
  });
  afterEach(() => {
    watcher?.stop();
    vi.useRealTimers();
    rmSync(root, { recursive: true, force: true });
  });

  it('says why nothing is exposed, once, and recovers when /proc/net/tcp appears', async () => {
    const errors: Error[] = [];
    const changes: [WatchedPort[], number[]][] = [];
    watcher = new PortWatcher({
      filter: new PortFilter({ ephemeralRange: [32768, 60999] }),
      procRoot: root,
      onChange: (opened, closed) => changes.push([opened, closed]),
      onError: (error) => errors.push(error),
    });
    await watcher.start(); // Resolves although the first scan failed.
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^cannot list listening ports: ENOENT/)]);

    await vi.advanceTimersByTimeAsync(12_000); // Two full scans later: still failing, not repeated.
    expect(errors).toHaveLength(1);

    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net', 'tcp'), `${HEADER}\n${LISTEN_3000}\n`);
    await vi.advanceTimersByTimeAsync(5_100); // The next full scan.
    expect(changes).toEqual([[[{ port: 3000 }], []]]);
    expect(errors).toHaveLength(1);
  });
});
