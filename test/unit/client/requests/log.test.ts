import { describe, expect, it } from 'vitest';
import type { OpenRequest } from '../../../../protocol';
import { RequestLog } from '../../../../client/requests/log';
import type { RequestSummary } from '../../../../client/requests/record';

function open(overrides: Partial<OpenRequest> = {}): OpenRequest {
  return {
    port: 3000,
    method: 'GET',
    path: '/',
    headers: [['accept', '*/*']],
    host: 'h',
    hasBody: false,
    upgrade: false,
    viewer: { kind: 'owner' },
    ...overrides,
  };
}

describe('RequestLog', () => {
  it('keeps at most `capacity` requests, the newest, with ids counting up', () => {
    const log = new RequestLog({ capacity: 3 });
    for (let i = 0; i < 10; i++) log.begin(open({ path: `/${i}` }))?.end();
    expect(log.size).toBe(3);
    expect(log.list().map((s) => [s.id, s.path])).toEqual([
      [8, '/7'],
      [9, '/8'],
      [10, '/9'],
    ]);
    expect(log.get(1)).toBeUndefined();
  });

  it('keeps at most `maxBytes`: a body growing past it pushes the oldest out, the newest stays', () => {
    const log = new RequestLog({ capacity: 100, bodyBytes: 4096, maxBytes: 10_000 });
    const entries = [1, 2, 3].map(() => log.begin(open({ hasBody: true, method: 'POST' }))!);
    expect(log.size).toBe(3);
    for (const entry of entries) entry.requestData(new Uint8Array(4096));
    expect(log.bytes).toBeLessThanOrEqual(10_000);
    expect(log.list().map((s) => s.id)).toEqual([2, 3]);
    // An entry already out of the ring no longer counts, whatever it receives.
    const before = log.bytes;
    entries[0]!.responseData(new Uint8Array(4096));
    expect(log.bytes).toBe(before);
    // One request bigger than the bound alone is still kept (the newest always is).
    const big = new RequestLog({ capacity: 10, bodyBytes: 64 * 1024, maxBytes: 1000 });
    big.begin(open())!.responseData(new Uint8Array(50_000));
    expect(big.size).toBe(1);
  });

  it('capacity 0 turns it off: begin() records nothing', () => {
    const log = new RequestLog({ capacity: 0 });
    expect(log.enabled).toBe(false);
    expect(log.begin(open())).toBeNull();
    expect(log.list()).toEqual([]);
  });

  it('summaries: state, status, timings from the clock, bytes both ways', () => {
    let now = 100;
    const log = new RequestLog({ clock: () => now, bodyBytes: 2 });
    const entry = log.begin(open({ method: 'POST', hasBody: true }))!;
    entry.requestData(new Uint8Array(5));
    now = 130;
    entry.head(201, [['content-type', 'text/plain']]);
    entry.responseData(new TextEncoder().encode('hello'));
    now = 150;
    entry.end();
    const summary = log.list()[0] as RequestSummary;
    expect(summary).toMatchObject({ state: 'done', status: 201, headMs: 30, totalMs: 50, bytesIn: 5, bytesOut: 5 });
    const record = log.get(summary.id)!;
    expect(record.response?.body).toMatchObject({ bytes: 5, captured: 2, truncated: true, text: 'he' });
    expect(record.request.body).toMatchObject({ bytes: 5, captured: 2, truncated: true });
  });

  it('timings are given to 0.01 ms, without the float noise of the clock', () => {
    let now = 1000.1;
    const log = new RequestLog({ clock: () => now });
    const entry = log.begin(open())!;
    now = 1013.454004000007;
    entry.head(200, []);
    now = 1014.559633000005;
    entry.end();
    expect(log.list()[0]).toMatchObject({ headMs: 13.35, totalMs: 14.46 });
  });

  it('a failure keeps the origin status once the head went, and is final', () => {
    const log = new RequestLog();
    const before = log.begin(open())!;
    before.fail({ code: 'origin_unreachable', message: 'nothing listens' }, 502);
    before.end();
    const after = log.begin(open())!;
    after.head(200, []);
    after.fail({ code: 'viewer_left', message: 'the viewer went away' });
    const [a, b] = log.list();
    expect(a).toMatchObject({ state: 'failed', status: 502, error: { code: 'origin_unreachable' } });
    expect(b).toMatchObject({ state: 'failed', status: 200, error: { code: 'viewer_left' } });
  });

  it('WebSocket counts, and a replay says whose replay it is', () => {
    const log = new RequestLog();
    const ws = log.begin(open({ upgrade: true }))!;
    ws.head(101, []);
    ws.message('in', 3);
    ws.message('out', 4);
    ws.message('out', 5);
    ws.closed(1000);
    ws.closed(1011);
    ws.end();
    expect(log.list()[0]).toMatchObject({
      websocket: { messagesIn: 1, messagesOut: 2, closeCode: 1000 },
      bytesIn: 3,
      bytesOut: 9,
    });
    log.begin(open(), 1)!.end();
    expect(log.list()[1]).toMatchObject({ viewer: { kind: 'replay' }, replayOf: 1 });
  });

  it('filters, and a limit keeps the newest matches, oldest first', () => {
    const log = new RequestLog();
    const add = (port: number, method: string, path: string, status: number, viewer: OpenRequest['viewer']) => {
      const entry = log.begin(open({ port, method, path, viewer }))!;
      entry.head(status, []);
      entry.end();
    };
    add(3000, 'GET', '/a', 200, { kind: 'owner' });
    add(3000, 'POST', '/api/x', 500, { kind: 'link', link: 'abc' });
    add(8000, 'GET', '/api/y', 503, { kind: 'public' });
    add(3000, 'GET', '/api/z', 404, { kind: 'public' });
    const paths = (filter: Parameters<RequestLog['list']>[0], limit?: number) =>
      log.list(filter, limit).map((s) => s.path);
    expect(paths({ port: 3000 })).toEqual(['/a', '/api/x', '/api/z']);
    expect(paths({ status: { min: 500, max: 599 } })).toEqual(['/api/x', '/api/y']);
    expect(paths({ method: 'POST' })).toEqual(['/api/x']);
    expect(paths({ path: '/api/' })).toEqual(['/api/x', '/api/y', '/api/z']);
    expect(paths({ viewer: 'public' })).toEqual(['/api/y', '/api/z']);
    expect(paths({ after: 2 })).toEqual(['/api/y', '/api/z']);
    expect(paths({}, 2)).toEqual(['/api/y', '/api/z']);
  });

  it('subscribers hear of a request at its head and its end, and stop hearing once unsubscribed', () => {
    const log = new RequestLog();
    const heard: string[] = [];
    const stop = log.subscribe((s) => heard.push(`${s.id}:${s.state}`));
    const entry = log.begin(open())!;
    entry.head(200, []);
    entry.end();
    stop();
    log.begin(open())!.end();
    expect(heard).toEqual(['1:open', '1:done']);
  });
});
