/**
 * A follow of the request log (GET /v1/requests?follow=1): the backlog, then
 * each matching summary as it changes, one JSON object per line (NDJSON).
 * The follower is cut off when it stops reading (more than
 * FOLLOW_QUEUE_BYTES waiting) and ends when it goes away.
 */
import type http from 'node:http';
import { type MuxStream, ResetCode, StreamResetError } from '../../protocol';
import { matches, type RequestLog } from './log';
import type { LogAnswer } from './query';
import { drained } from '../net/drain';

/** Bytes of follow lines waiting for the follower before it is cut off. */
export const FOLLOW_QUEUE_BYTES = 1024 * 1024;

/** Where follow lines go: a control-socket response or a port-0 tunnel stream. */
export interface FollowSink {
  /** Resolves once the bytes are on their way (the follower read them, or the transport took them). */
  write(bytes: Buffer): Promise<void>;
  /** Cut the follower off, saying why. */
  abort(reason: string): void;
  /** Resolves when the follower is gone (or the follow was cut off). */
  gone: Promise<unknown>;
}

/** A control-socket response as a FollowSink (its head already written). */
export function responseSink(res: http.ServerResponse): FollowSink {
  return {
    write: async (bytes) => {
      if (!res.write(bytes)) await drained(res);
    },
    abort: () => res.destroy(),
    gone: new Promise((resolve) => res.once('close', resolve)),
  };
}

/** A port-0 tunnel stream as a FollowSink (its head already sent). */
export function streamSink(stream: MuxStream): FollowSink {
  return {
    write: (bytes) =>
      stream.write(bytes).catch((error: unknown) => {
        if (!(error instanceof StreamResetError)) stream.reset(ResetCode.CANCEL, (error as Error).message);
      }),
    abort: (reason) => stream.reset(ResetCode.CANCEL, reason),
    gone: stream.done(),
  };
}

/**
 * Send `answer`'s backlog, then every matching change, to `sink` until the follower goes. The
 * backlog is written a line at a time as the follower takes it (it is bounded by the log, and long
 * paths can make it bigger than FOLLOW_QUEUE_BYTES: queued at once it would cut off every follow
 * at its start); changes meanwhile wait behind it and count towards FOLLOW_QUEUE_BYTES.
 */
export function followLog(log: RequestLog, answer: Extract<LogAnswer, { kind: 'follow' }>, sink: FollowSink): void {
  let queued = 0;
  let stopped = false;
  /** Changes that came while the backlog was being written; null once it has been. */
  let waiting: Buffer[] | null = [];
  const stop = () => {
    stopped = true;
    unsubscribe();
  };
  const write = (bytes: Buffer) => void sink.write(bytes).then(() => (queued -= bytes.length));
  const send = (line: unknown) => {
    if (stopped) return;
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    queued += bytes.length;
    if (queued > FOLLOW_QUEUE_BYTES) {
      stop();
      sink.abort('the request log follower fell behind');
      return;
    }
    if (waiting) waiting.push(bytes);
    else write(bytes);
  };
  const unsubscribe = log.subscribe((summary) => {
    if (matches(summary, answer.filter)) send(summary);
  });
  void sink.gone.then(stop);
  void (async () => {
    for (const summary of answer.backlog) {
      if (stopped) return;
      await sink.write(Buffer.from(`${JSON.stringify(summary)}\n`));
    }
    const changes = waiting ?? [];
    waiting = null;
    for (const bytes of changes) if (!stopped) write(bytes);
  })();
}
