/**
 * How a served stream ended, into its log entry: cleanly (`end`), or reset by
 * either side (`fail` with the error code the viewer saw, from the one table
 * the gateway answers by: protocol/reset-answer.ts). One promise callback per
 * stream, no timer.
 */
import { type MuxStream, resetAnswer, type StreamResetError } from '../../protocol';
import type { LogEntry } from './entry';

/** The entry's failure for a reset: the gateway's code (a RESET that came from it is `remote` here) and status. */
export function failureOf(error: StreamResetError): { error: { code: string; message: string }; status?: number } {
  const answer = resetAnswer(error.code, error.remote);
  return { error: { code: answer.code, message: error.message }, status: answer.status };
}

/** Record in `entry` how `stream` ends (see the file's comment). Call before anything may reset it. */
export function recordOutcome(stream: MuxStream, entry: LogEntry): void {
  void stream.done().then((error) => {
    if (!error) {
      entry.end();
      return;
    }
    const failure = failureOf(error);
    entry.fail(failure.error, failure.status);
  });
}
