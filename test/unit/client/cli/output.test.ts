import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../client/cli/options';
import { CliError, createOutput, wantsJson } from '../../../../client/cli/output';
import { PortholeApiError } from '../../../../client/net/http';
import { TunnelAuthError, TunnelSessionEndedError } from '../../../../client/tunnel/errors';

function capture(command: string, json: boolean, stream = false) {
  const io = { out: '', err: '' };
  const out = createOutput(command, json, stream, {
    stdout: (t) => (io.out += t),
    stderr: (t) => (io.err += t),
  });
  return { out, io };
}

describe('the output contract', () => {
  it('--json: exactly one JSON value on stdout, warnings also on stderr', () => {
    const { out, io } = capture('share', true);
    out.warn('nothing listens on port 3000 right now');
    out.result({ port: 3000 }, 'port 3000 is public');
    expect(JSON.parse(io.out)).toEqual({ port: 3000, warnings: ['nothing listens on port 3000 right now'] });
    expect(io.err).toBe('porthole share: nothing listens on port 3000 right now\n');
  });

  it('--json: a list is one array, even an empty one', () => {
    const { out, io } = capture('links', true);
    out.result([], 'no live links');
    expect(JSON.parse(io.out)).toEqual([]);
  });

  it('--json failures: {error, message} on stdout, nothing on stderr; exit 2 for usage, 3 for an ended session, 1 otherwise', () => {
    const cases: [unknown, number, Record<string, unknown>][] = [
      [new UsageError('give a port'), 2, { error: 'usage', message: 'give a port', help: 'porthole login --help' }],
      [new PortholeApiError(404, 'link_not_found', 'no live link'), 1, { error: 'link_not_found', status: 404 }],
      [new CliError('timeout', 'port 1 did not answer', { port: 1 }), 1, { error: 'timeout', port: 1 }],
      [new TunnelAuthError('401'), 1, { error: 'tunnel_refused' }],
      [
        new TunnelSessionEndedError('the session has ended (ended by the operator)'),
        3,
        { error: 'session_ended', message: 'the session has ended (ended by the operator)' },
      ],
      [
        new PortholeApiError(410, 'session_ended', 'This session has ended.'),
        3,
        { error: 'session_ended', status: 410 },
      ],
      [Object.assign(new Error('open folder'), { code: 'unsafe_path' }), 1, { error: 'unsafe_path' }],
      [Object.assign(new Error('gone'), { code: 'ENOENT' }), 1, { error: 'failed' }],
      ['a string', 1, { error: 'failed', message: 'a string' }],
    ];
    for (const [error, exit, fields] of cases) {
      const { out, io } = capture('login', true);
      expect(out.fail(error)).toBe(exit);
      expect(JSON.parse(io.out)).toMatchObject(fields);
      expect(io.err).toBe('');
    }
  });

  it('a stream’s failure is an error event, so an NDJSON reader sees it as one', () => {
    const { out, io } = capture('dev', true, true);
    out.fail(new CliError('gateway_exited', 'the local gateway process exited (code 1)'));
    expect(JSON.parse(io.out)).toEqual({
      event: 'error',
      error: 'gateway_exited',
      message: 'the local gateway process exited (code 1)',
    });
  });

  it('without --json: the answer on stdout, errors on stderr with the usage hint for usage', () => {
    const { out, io } = capture('token', false);
    out.result({ token: 't' }, 't');
    expect(out.fail(new UsageError("unexpected argument 'x'"))).toBe(2);
    expect(io.out).toBe('t\n');
    expect(io.err).toBe("porthole token: unexpected argument 'x'\nRun 'porthole token --help' for usage.\n");
  });

  it('reads --json before any --', () => {
    expect(wantsJson(['3000', '--json'])).toBe(true);
    expect(wantsJson(['--json=true'])).toBe(true);
    expect(wantsJson(['--', '--json'])).toBe(false);
    expect(wantsJson([])).toBe(false);
  });
});
