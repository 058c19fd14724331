import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTokenFile, resolveToken } from '../../../../client/cli/tokens';

describe('tokens from the environment, a file, or argv', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = (text: string, mode = 0o600) => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-token-'));
    dirs.push(dir);
    const path = join(dir, 'token');
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };
  const source = (argv?: string, path?: string) => ({ flag: '--token', env: 'PORTHOLE_TOKEN', argv, file: path });

  it('reads a private file with its trailing newline trimmed', () => {
    expect(readTokenFile(file('abc.def\n'))).toBe('abc.def');
    expect(readTokenFile(file('abc.def\r\n\n'))).toBe('abc.def');
  });

  it('refuses a group- or world-readable file with the fix, and a missing or empty one', () => {
    const open = file('abc\n', 0o644);
    expect(() => readTokenFile(open)).toThrow(`chmod 600 ${open}`);
    expect(() => readTokenFile(file('abc\n', 0o640))).toThrow('other users may access it (mode 640)');
    expect(() => readTokenFile(`${open}.missing`)).toThrow('no such file');
    expect(() => readTokenFile(file('\n'))).toThrow('is empty');
  });

  it('takes argv (with a warning), else the file, else the environment', () => {
    const warnings: string[] = [];
    const problems: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const env = { PORTHOLE_TOKEN: 'from-env' };
    expect(resolveToken(source(), problems, warn, env)).toBe('from-env');
    expect(resolveToken(source(undefined, file('from-file\n')), problems, warn, env)).toBe('from-file');
    expect(warnings).toEqual([]);
    expect(resolveToken(source('from-argv'), problems, warn, env)).toBe('from-argv');
    expect(warnings).toEqual([
      'warning: --token on the command line can be read by other local users (ps); use PORTHOLE_TOKEN or --token-file <path>',
    ]);
    expect(resolveToken(source(), problems, warn, {})).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('lists as problems both argv and a file, and an unsafe file', () => {
    const problems: string[] = [];
    const path = file('t\n', 0o604);
    expect(resolveToken(source('a', path), problems, () => {})).toBeUndefined();
    expect(resolveToken(source(undefined, path), problems, () => {})).toBeUndefined();
    expect(problems).toEqual([
      '--token and --token-file: give one, not both',
      expect.stringContaining(`--token-file: refusing ${path}: other users may access it (mode 604)`),
    ]);
  });
});
