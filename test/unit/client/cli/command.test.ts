import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientCommand, command } from '../../../../client/cli/command';
import { UsageError } from '../../../../client/cli/options';
import { createOutput } from '../../../../client/cli/output';

const out = createOutput('thing', false);

afterEach(() => vi.restoreAllMocks());

describe('command', () => {
  it('prints its help for --help and -h, exits 0, and does not run', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    const run = vi.fn(async () => 3);
    const cmd = command('usage: porthole thing\n', { json: { type: 'boolean' } }, run);
    expect(await cmd.run(['--help'], out)).toBe(0);
    expect(await cmd.run(['-h', '--json'], out)).toBe(0);
    expect(printed).toEqual(['usage: porthole thing\n', 'usage: porthole thing\n']);
    expect(run).not.toHaveBeenCalled();
  });

  it('runs with the parsed options and positionals, and refuses unknown options as usage errors', async () => {
    const cmd = command('help\n', { json: { type: 'boolean' } }, async ({ values, positionals }) =>
      values.json && positionals[0] === '3000' ? 0 : 1,
    );
    expect(await cmd.run(['3000', '--json'], out)).toBe(0);
    await expect(cmd.run(['--control', '/tmp/x'], out)).rejects.toThrow(UsageError);
  });
});

describe('clientCommand', () => {
  it('takes --control, else the default control socket path', async () => {
    const seen: string[] = [];
    const cmd = clientCommand('help\n', {}, async (_parsed, control) => {
      seen.push(control);
      return 0;
    });
    vi.stubEnv('PORTHOLE_CONTROL', '/run/default.sock');
    await cmd.run(['--control', '/tmp/other.sock'], out);
    await cmd.run([], out);
    vi.unstubAllEnvs();
    expect(seen).toEqual(['/tmp/other.sock', '/run/default.sock']);
  });
});
