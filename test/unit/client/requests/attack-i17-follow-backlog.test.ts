/**
 * ATTACK (issue 17): a viewer (or just an app with long URLs) fills the log with requests whose
 * paths are a few KiB long. A follow's backlog (the dashboard asks for the newest 500) was queued
 * all at once and counted against the bound for a follower that stops reading (1 MiB), so every
 * follow was cut off at its start, however fast the owner read: the panel never went live.
 */
import { describe, expect, it } from 'vitest';
import { FOLLOW_QUEUE_BYTES, type FollowSink, followLog } from '../../../../client/requests/follow';
import { RequestLog } from '../../../../client/requests/log';
import { answerLog } from '../../../../client/requests/query';
import type { OpenRequest } from '../../../../protocol';

function request(path: string): OpenRequest {
  return {
    port: 3000,
    method: 'GET',
    path,
    headers: [],
    host: 'h',
    hasBody: false,
    upgrade: false,
    viewer: { kind: 'public' },
  };
}

/** A follower reading as fast as it can (each write taken on the next turn), or one that never reads. */
function follower(reads: boolean) {
  const lines: string[] = [];
  let aborted: string | null = null;
  let gone = () => {};
  const sink: FollowSink = {
    write: (bytes) =>
      reads
        ? new Promise((resolve) =>
            setImmediate(() => {
              lines.push(...bytes.toString().split('\n').filter(Boolean));
              resolve();
            }),
          )
        : new Promise(() => {}),
    abort: (reason) => {
      aborted = reason;
      gone();
    },
    gone: new Promise<void>((resolve) => (gone = resolve)),
  };
  return { sink, lines, aborted: () => aborted, leave: () => gone() };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('ATTACK: a follow whose backlog is bigger than the follower bound', () => {
  const log = new RequestLog({ capacity: 1000 });
  for (let i = 0; i < 500; i++) {
    const entry = log.begin(request(`/${'a'.repeat(4000)}?${i}`))!;
    entry.head(200, []);
    entry.end();
  }

  it('is sent to a follower that reads, then goes live', async () => {
    const answer = answerLog(log, new URL('http://log/v1/requests?follow=1&limit=500'));
    if (answer.kind !== 'follow') throw new Error('not a follow');
    const f = follower(true);
    followLog(log, answer, f.sink);
    await until(() => f.lines.length >= 500 || f.aborted() !== null);
    expect(f.aborted()).toBeNull();
    expect(f.lines.length).toBe(500);
    const entry = log.begin(request('/live'))!;
    entry.head(201, []);
    await until(() => f.lines.length > 500);
    expect(JSON.parse(f.lines[500] as string)).toMatchObject({ path: '/live', status: 201 });
    entry.end();
    f.leave();
  });

  it('still cuts off a follower that never reads, once live lines pass the bound', async () => {
    const answer = answerLog(log, new URL('http://log/v1/requests?follow=1&limit=500'));
    if (answer.kind !== 'follow') throw new Error('not a follow');
    const f = follower(false);
    followLog(log, answer, f.sink);
    const lines = Math.ceil(FOLLOW_QUEUE_BYTES / 4000) + 10;
    for (let i = 0; i < lines && f.aborted() === null; i++) log.begin(request(`/${'b'.repeat(4000)}`))!.head(200, []);
    expect(f.aborted()).toMatch(/fell behind/);
  });
});
