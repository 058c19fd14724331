/** The read routes' query parsing: every bad parameter a 400 that names it. */
import { describe, expect, it } from 'vitest';
import { answerLog, parseFilter } from '../../../../client/requests/query';
import { RequestLog } from '../../../../client/requests/log';

const filter = (query: string) => parseFilter(new URLSearchParams(query));
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const { status, code, message } = error as { status: number; code: string; message: string };
    return { status, code, message };
  }
  return undefined;
};

describe('parseFilter', () => {
  it('reads each parameter', () => {
    expect(filter('port=3000&status=5xx&method=post&path=/api&viewer=link&after=7')).toEqual({
      port: 3000,
      status: { min: 500, max: 599 },
      method: 'POST',
      path: '/api',
      viewer: 'link',
      after: 7,
    });
    expect(filter('status=404')).toEqual({ status: { min: 404, max: 404 } });
    expect(filter('status=error')).toEqual({ failed: true });
    expect(filter('viewer=replay')).toEqual({ viewer: 'replay' });
  });

  it.each([
    ['port=0', 'port'],
    ['port=70000', 'port'],
    ['port=3e3', 'port'],
    ['status=6xx', 'status'],
    ['status=99', 'status'],
    ['method=GE T', 'method'],
    ['path=api', 'path'],
    ['viewer=somebody', 'viewer'],
    ['after=-1', 'after'],
  ])('%s is a 400 naming %s', (query, name) => {
    expect(refusal(() => filter(query))).toMatchObject({
      status: 400,
      code: 'bad_request',
      message: expect.stringContaining(name),
    });
  });
});

describe('answerLog', () => {
  const url = (path: string) => new URL(`http://log${path}`);

  it('refuses a bad id, a bad limit or follow, an unknown route, and answers 503 when the log is off', () => {
    const log = new RequestLog();
    expect(refusal(() => answerLog(log, url('/v1/requests/abc')))).toMatchObject({ status: 400 });
    expect(refusal(() => answerLog(log, url('/v1/requests/0')))).toMatchObject({ status: 400 });
    expect(refusal(() => answerLog(log, url('/v1/requests/5')))).toMatchObject({
      status: 404,
      code: 'request_not_found',
    });
    expect(refusal(() => answerLog(log, url('/v1/requests?limit=x')))).toMatchObject({ status: 400 });
    expect(refusal(() => answerLog(log, url('/v1/requests?follow=yes')))).toMatchObject({ status: 400 });
    expect(refusal(() => answerLog(log, url('/v1/other')))).toMatchObject({ status: 404, code: 'not_found' });
    const off = new RequestLog({ capacity: 0 });
    expect(refusal(() => answerLog(off, url('/v1/requests')))).toMatchObject({ status: 503, code: 'request_log_off' });
  });

  it('caps a limit at the capacity and answers a follow with its backlog', () => {
    const log = new RequestLog({ capacity: 2 });
    for (const path of ['/a', '/b', '/c'])
      log.begin({
        port: 1,
        method: 'GET',
        path,
        headers: [],
        host: 'h',
        hasBody: false,
        upgrade: false,
        viewer: { kind: 'owner' },
      });
    const listed = answerLog(log, url('/v1/requests?limit=50'));
    expect(listed).toMatchObject({ kind: 'json', status: 200 });
    expect((listed as { body: { path: string }[] }).body.map((s) => s.path)).toEqual(['/b', '/c']);
    expect(answerLog(log, url('/v1/requests?follow=1&path=/c'))).toMatchObject({
      kind: 'follow',
      filter: { path: '/c' },
    });
  });
});
