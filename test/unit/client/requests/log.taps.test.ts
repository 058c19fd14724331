/** The request log's ring: both bounds, oldest out first, filters, listeners, and the entry's record. */
import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../../../client/requests/log';
import type { OpenRequest, OpenViewer } from '../../../../protocol';

function open(path: string, options: Partial<OpenRequest> = {}): OpenRequest {
  return {
    port: 3000,
    method: 'GET',
    path,
    headers: [],
    host: 'h',
    hasBody: false,
    upgrade: false,
    viewer: { kind: 'public' },
    ...options,
  };
}

/** A log on a clock the test moves. */
function clocked(options: ConstructorParameters<typeof RequestLog>[0] = {}) {
  const time = { now: 0 };
  return { time, log: new RequestLog({ ...options, clock: () => time.now }) };
}

describe('RequestLog bounds', () => {
  it('keeps at most `capacity` requests, the newest, with increasing ids', () => {
    const { log } = clocked({ capacity: 3 });
    for (let i = 0; i < 10; i++) log.begin(open(`/${i}`))?.end();
    expect(log.size).toBe(3);
    expect(log.list().map((s) => [s.id, s.path])).toEqual([
      [8, '/7'],
      [9, '/8'],
      [10, '/9'],
    ]);
    expect(log.get(7)).toBeUndefined();
  });

  it('keeps at most `maxBytes`, counting bodies as they grow; the newest stays even alone over it', () => {
    const { log } = clocked({ capacity: 100, maxBytes: 4096, bodyBytes: 1000 });
    for (let i = 0; i < 20; i++) {
      const entry = log.begin(open(`/${i}`));
      entry?.requestData(new Uint8Array(800));
      entry?.responseData(new Uint8Array(5000)); // Only 1000 kept.
      expect(log.bytes).toBeLessThanOrEqual(4096);
      entry?.end();
    }
    expect(log.size).toBe(1); // 512 + 800 + 1000 each: two would be over.
    const tiny = clocked({ maxBytes: 100, bodyBytes: 10 }).log;
    tiny.begin(open('/a'));
    tiny.begin(open('/b'));
    expect(tiny.list().map((s) => s.path)).toEqual(['/b']);
  });

  it('capacity 0 is off: begin() records nothing', () => {
    const { log } = clocked({ capacity: 0 });
    expect(log.enabled).toBe(false);
    expect(log.begin(open('/'))).toBeNull();
    expect(log.size).toBe(0);
  });

  it('an entry the ring let go while in flight keeps counting but drops its bodies and keeps no more', () => {
    const { log } = clocked({ capacity: 1, bodyBytes: 100 });
    const first = log.begin(open('/first'))!;
    first.requestData(new Uint8Array(60));
    log.begin(open('/second'));
    const before = log.bytes;
    first.responseData(new Uint8Array(100));
    expect(log.bytes).toBe(before);
    expect(first.requestBody.captured + first.responseBody.captured).toBe(0);
    first.end();
    expect(first.record()).toMatchObject({
      bytesIn: 60,
      bytesOut: 100,
      request: { body: { bytes: 60, captured: 0, truncated: true } },
    });
  });
});

describe('RequestLog filters and listeners', () => {
  it('filters by port, status class, error, method, path prefix, viewer and after; a limit keeps the newest', () => {
    const { log } = clocked();
    const link: OpenViewer = { kind: 'link', link: 'l1' };
    log.begin(open('/api/a', { port: 3000 }))?.head(200, []);
    log.begin(open('/api/b', { port: 4000, method: 'POST', viewer: link }))?.head(503, []);
    log.begin(open('/page', { port: 3000 }))?.fail({ code: 'origin_unreachable', message: 'refused' }, 502);
    const paths = (filter: Parameters<RequestLog['list']>[0], limit?: number) =>
      log.list(filter, limit).map((s) => s.path);
    expect(paths({ port: 3000 })).toEqual(['/api/a', '/page']);
    expect(paths({ status: { min: 500, max: 599 } })).toEqual(['/api/b', '/page']);
    expect(paths({ failed: true })).toEqual(['/page']);
    expect(paths({ method: 'POST' })).toEqual(['/api/b']);
    expect(paths({ path: '/api/' })).toEqual(['/api/a', '/api/b']);
    expect(paths({ viewer: 'link' })).toEqual(['/api/b']);
    expect(paths({ after: 1 })).toEqual(['/api/b', '/page']);
    expect(paths({}, 2)).toEqual(['/api/b', '/page']);
  });

  it('subscribers hear the head (open) and the end; onFinished gets the entry, even once evicted', () => {
    const { log, time } = clocked({ capacity: 1 });
    const heard: string[] = [];
    const finished: number[] = [];
    log.subscribe((s) => heard.push(`${s.id}:${s.state}:${s.status}`));
    log.onFinished((entry) => finished.push(entry.id));
    const long = log.begin(open('/ws', { upgrade: true }));
    long?.head(101, []);
    log.begin(open('/later'))?.end(); // Evicts the first.
    time.now = 50;
    long?.end();
    expect(heard).toEqual(['1:open:101', '2:done:null', '1:done:101']);
    expect(finished).toEqual([2, 1]);
  });
});

describe('LogEntry', () => {
  it('records times, bytes, WebSocket counts, and keeps the origin status on a late failure', () => {
    const { log, time } = clocked();
    const entry = log.begin(open('/ws', { upgrade: true }))!;
    time.now = 5;
    entry.head(101, [['x-a', '1']]);
    entry.message('in', 3);
    entry.message('out', 7);
    entry.message('out', 1);
    entry.closed(4001);
    entry.closed(1000); // The first close is the one kept.
    time.now = 20;
    entry.fail({ code: 'tunnel_lost', message: 'gone' }, 502);
    entry.end(); // Already finished: no change.
    expect(entry.summary()).toMatchObject({
      state: 'failed',
      status: 101,
      headMs: 5,
      totalMs: 20,
      bytesIn: 3,
      bytesOut: 8,
      websocket: { messagesIn: 1, messagesOut: 2, closeCode: 4001 },
      error: { code: 'tunnel_lost', message: 'gone' },
    });
  });

  it("a failure before the head takes Porthole's status; the record has no response", () => {
    const { log } = clocked();
    const entry = log.begin(open('/x'))!;
    entry.fail({ code: 'viewer_left', message: 'the viewer went away' });
    expect(entry.record()).toMatchObject({ status: null, state: 'failed', response: null });
    const refused = log.begin(open('/y'))!;
    refused.fail({ code: 'origin_unreachable', message: 'refused' }, 502);
    expect(refused.summary().status).toBe(502);
  });
});
