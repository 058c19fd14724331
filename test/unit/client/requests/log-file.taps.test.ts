/** --request-log-file: each finished request as one NDJSON line, the file created 0600, a bad path at once. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RequestLogFile } from '../../../../client/requests/log-file';
import { RequestLog } from '../../../../client/requests/log';
import type { OpenRequest } from '../../../../protocol';

const open = (path: string): OpenRequest => ({
  port: 3000,
  method: 'GET',
  path,
  headers: [['authorization', 'Bearer hidden-credential']],
  host: 'h',
  hasBody: false,
  upgrade: false,
  viewer: { kind: 'owner' },
});

describe('RequestLogFile', () => {
  it('appends each finished request in full, as the record shows it, to a file made 0600', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'porthole-log-file-')), 'requests.ndjson');
    const log = new RequestLog();
    const file = new RequestLogFile(path, log, () => {});
    const first = log.begin(open('/one'))!;
    first.head(200, [['content-type', 'text/plain']]);
    first.responseData(Buffer.from('hi'));
    const second = log.begin(open('/two'))!;
    first.end();
    await file.close();
    second.end(); // After the close: not written.
    const text = readFileSync(path, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([first.record()]);
    expect(text).not.toContain('hidden-credential');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('appends to a file that exists, and throws at once for a path it cannot open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-log-file-'));
    const path = join(dir, 'kept.ndjson');
    writeFileSync(path, 'earlier\n');
    const file = new RequestLogFile(path, new RequestLog(), () => {});
    await file.close();
    expect(readFileSync(path, 'utf8').startsWith('earlier\n')).toBe(true);
    expect(() => new RequestLogFile(join(dir, 'missing', 'r.ndjson'), new RequestLog(), () => {})).toThrow(/ENOENT/);
    expect(() => new RequestLogFile(dir, new RequestLog(), () => {})).toThrow(/EISDIR/);
  });
});
