/**
 * The request log answering the gateway (OPEN on port 0, protocol v7): the
 * owner's dashboard reads the log through the tunnel with the same routes
 * and answers as the control socket (query.ts). Only GET; a follow is
 * follow.ts's NDJSON.
 */
import type { MuxStream } from '../../protocol';
import { PortholeApiError } from '../net/http';
import { followLog, streamSink } from './follow';
import type { RequestLog } from './log';
import { answerLog } from './query';

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
    const error = new PortholeApiError(405, 'method_not_allowed', 'the request log is read with GET');
    respondJson(stream, 405, error.toJSON());
    return;
  }
  let answer;
  try {
    answer = answerLog(log, new URL(`http://log${open.path}`));
  } catch (error) {
    const refusal =
      error instanceof PortholeApiError ? error : new PortholeApiError(500, 'internal', (error as Error).message);
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
  followLog(log, answer, streamSink(stream));
}
