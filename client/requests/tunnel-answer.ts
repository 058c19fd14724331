/**
 * The request log answering the gateway (OPEN on port 0, protocol v7): the
 * owner's dashboard reads the log through the tunnel with the same routes
 * and answers as the control socket (query.ts). Only GET; a follow is NDJSON
 * that ends when the viewer goes (the stream is reset) and is cut off when
 * the viewer stops reading (more than FOLLOW_QUEUE_BYTES waiting).
 */
import { type MuxStream, ResetCode, StreamResetError } from '../../protocol';
import { ApiError } from '../net/http';
import { matches, type RequestLog } from './log';
import { answerLog } from './query';

/** Bytes of follow lines waiting for the viewer before the follow is cut off. */
export const FOLLOW_QUEUE_BYTES = 1024 * 1024;

const JSON_HEADERS: [string, string][] = [
  ['content-type', 'application/json'],
  ['cache-control', 'no-store'],
];

function respondJson(stream: MuxStream, status: number, body: unknown): void {
  stream.respond({ status, headers: JSON_HEADERS }, Buffer.from(`${JSON.stringify(body)}\n`));
}

/** Serve one port-0 stream from `log`. Never throws. */
export function serveLog(log: RequestLog, stream: MuxStream): void {
  const open = stream.request!;
  if (open.upgrade || open.method !== 'GET') {
    const error = new ApiError(405, 'method_not_allowed', 'the request log is read with GET');
    respondJson(stream, 405, error.toJSON());
    return;
  }
  let answer;
  try {
    answer = answerLog(log, new URL(open.path, 'http://log'));
  } catch (error) {
    const refusal = error instanceof ApiError ? error : new ApiError(500, 'internal', (error as Error).message);
    respondJson(stream, refusal.status, refusal.toJSON());
    return;
  }
  if (answer.kind === 'json') {
    respondJson(stream, answer.status, answer.body);
    return;
  }
  stream.respond({
    status: 200,
    headers: [
      ['content-type', 'application/x-ndjson'],
      ['cache-control', 'no-store'],
    ],
  });
  let queued = 0;
  let stop = () => {};
  const send = (line: unknown) => {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    queued += bytes.length;
    if (queued > FOLLOW_QUEUE_BYTES) {
      stop();
      stream.reset(ResetCode.CANCEL, 'the request log follower fell behind');
      return;
    }
    stream.write(bytes).then(
      () => (queued -= bytes.length),
      (error: unknown) => {
        stop();
        if (!(error instanceof StreamResetError)) stream.reset(ResetCode.CANCEL, (error as Error).message);
      },
    );
  };
  const filter = answer.filter;
  for (const summary of answer.backlog) send(summary);
  if (stream.state === 'reset') return;
  const unsubscribe = log.subscribe((summary) => {
    if (matches(summary, filter)) send(summary);
  });
  stop = () => {
    unsubscribe();
  };
  void stream.done().then(stop);
}
