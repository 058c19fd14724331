import { describe, expect, it } from 'vitest';
import type { OpenRequest } from '../../../../protocol';
import { RequestLog } from '../../../../client/requests/log';
import { answerLog, isLogPath, parseFilter } from '../../../../client/requests/query';

const open: OpenRequest = {
  port: 3000,
  method: 'GET',
  path: '/',
  headers: [],
  host: 'h',
  hasBody: false,
  upgrade: false,
  viewer: { kind: 'public' },
};

const url = (path: string) => new URL(`http://log${path}`);

describe('request log routes', () => {
  it('parses every filter', () => {
    expect(parseFilter(new URLSearchParams('port=3000&status=5xx&method=post&path=/api&viewer=link&after=7'))).toEqual({
      port: 3000,
      status: { min: 500, max: 599 },
      method: 'POST',
      path: '/api',
      viewer: 'link',
      after: 7,
    });
    expect(parseFilter(new URLSearchParams('status=404'))).toEqual({ status: { min: 404, max: 404 } });
    expect(parseFilter(new URLSearchParams('status=error'))).toEqual({ failed: true });
  });

  it.each([
    ['port=0', /port must be 1-65535/],
    ['port=3e3', /port must be 1-65535/],
    ['status=6xx', /status must be/],
    ['status=20', /status must be/],
    ['method=GE%20T', /method must be/],
    ['path=api', /path must start/],
    ['viewer=admin', /viewer must be one of/],
    ['after=-1', /after must be a whole number/],
  ])('refuses %s with a 400 naming it', (query, message) => {
    expect(() => parseFilter(new URLSearchParams(query))).toThrow(message);
  });

  it('lists (default limit), shows one, follows, and says why it cannot', () => {
    const log = new RequestLog({ capacity: 500 });
    for (let i = 0; i < 150; i++) log.begin(open)!.end();
    const list = answerLog(log, url('/v1/requests'));
    expect(list.kind === 'json' && (list.body as unknown[]).length).toBe(100);
    const follow = answerLog(log, url('/v1/requests?follow=1&limit=3'));
    expect(follow.kind === 'follow' && follow.backlog.map((s) => s.id)).toEqual([148, 149, 150]);
    const one = answerLog(log, url('/v1/requests/150'));
    expect(one.kind === 'json' && one.body).toMatchObject({ id: 150, request: { headers: [] }, response: null });
    expect(() => answerLog(log, url('/v1/requests/151'))).toThrow(/request 151 is not in the log/);
    expect(() => answerLog(log, url('/v1/requests/abc'))).toThrow(/the request id must be/);
    // A malformed escape is a bad id (400), not a failure of the route.
    expect(() => answerLog(log, url('/v1/requests/%E0%A4%A'))).toThrow(/the request id must be/);
    expect(() => answerLog(log, url('/v1/requests?follow=2'))).toThrow(/follow must be/);
    expect(() => answerLog(log, url('/v1/other'))).toThrow(/no request log route/);
    expect(() => answerLog(new RequestLog({ capacity: 0 }), url('/v1/requests'))).toThrow(/the request log is off/);
  });

  it('knows its own paths only', () => {
    expect(isLogPath('/v1/requests')).toBe(true);
    expect(isLogPath('/v1/requests/12')).toBe(true);
    expect(isLogPath('/v1/requests/12/replay')).toBe(false);
    expect(isLogPath('/v1/status')).toBe(false);
  });
});
