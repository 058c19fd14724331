import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOpener, onPath } from '../../../../client/settings/opener';

const bin = mkdtempSync(join(tmpdir(), 'porthole-opener-'));
for (const name of ['xdg-open', 'open', 'firefox']) {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
}
writeFileSync(join(bin, 'not-executable'), '');
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('findOpener', () => {
  it('takes $BROWSER first (the first of a list, with its arguments)', () => {
    expect(findOpener({ PATH: bin, BROWSER: 'firefox --new-tab %s:other' }, 'linux')).toEqual({
      command: 'firefox',
      args: ['--new-tab', '%s'],
    });
  });

  it('falls back to xdg-open (open on macOS) found on PATH', () => {
    expect(findOpener({ PATH: bin }, 'linux')).toEqual({ command: 'xdg-open', args: [] });
    expect(findOpener({ PATH: bin }, 'darwin')).toEqual({ command: 'open', args: [] });
  });

  it('finds none on a machine without them', () => {
    const empty = join(bin, 'nothing-here');
    expect(findOpener({ PATH: empty }, 'linux')).toBeNull();
    expect(findOpener({ PATH: empty, BROWSER: 'firefox' }, 'linux')).toBeNull();
  });

  it('needs an executable file', () => {
    expect(onPath('not-executable', bin)).toBe(false);
    expect(onPath(join(bin, 'firefox'))).toBe(true);
  });
});
