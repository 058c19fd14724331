/** --request-log, --request-body, --request-log-file: defaults, sizes, and a clear problem for each bad value. */
import { describe, expect, it } from 'vitest';
import { parseSize, requestLogFlags } from '../../../../client/cli/request-log-flags';
import { agentFlags } from '../../../../client/cli/options';

describe('request log flags', () => {
  it('defaults: 1000 requests, 64 KiB a body, no file', () => {
    const problems: string[] = [];
    expect(requestLogFlags({}, problems)).toEqual({
      requestLog: { capacity: 1000, bodyBytes: 65536 },
      requestLogFile: undefined,
    });
    expect(problems).toEqual([]);
  });

  it.each([
    ['16384', 16384],
    ['16KiB', 16384],
    ['16kib', 16384],
    ['1MiB', 1048576],
    ['1 MiB', 1048576],
    ['0', 0],
    ['512B', 512],
  ])('size %s is %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'KiB', '1.5MiB', '-1', '16KB', '1GiB', 'lots'])('size %j is not a size', (text) => {
    expect(parseSize(text)).toBeNull();
  });

  it('takes good values and reports every bad one, naming the flag', () => {
    const good: string[] = [];
    expect(
      requestLogFlags({ 'request-log': '0', 'request-body': '16MiB', 'request-log-file': '/tmp/r.ndjson' }, good),
    ).toEqual({ requestLog: { capacity: 0, bodyBytes: 16 * 1024 * 1024 }, requestLogFile: '/tmp/r.ndjson' });
    expect(good).toEqual([]);
    const problems: string[] = [];
    requestLogFlags({ 'request-log': 'many', 'request-body': '17MiB', 'request-log-file': '' }, problems);
    expect(problems).toEqual([
      "--request-log: 'many' is not a number of requests (0-100000; 0 turns the log off)",
      "--request-body: '17MiB' is over 16MiB, the most it may keep",
      '--request-log-file: the path is empty',
    ]);
    const more: string[] = [];
    requestLogFlags({ 'request-log': '100001', 'request-body': '2kb' }, more);
    expect(more).toEqual([
      "--request-log: '100001' is not a number of requests (0-100000; 0 turns the log off)",
      "--request-body: '2kb' is not a size (e.g. 16384, 16KiB, 1MiB)",
    ]);
  });

  it('comes with the client flags of connect and dev', () => {
    const problems: string[] = [];
    const flags = agentFlags({ 'request-log': '50', 'request-body': '1KiB', 'no-watch': true }, problems);
    expect(flags).toMatchObject({ requestLog: { capacity: 50, bodyBytes: 1024 }, requestLogFile: undefined });
    expect(problems).toEqual([]);
  });
});
