/**
 * `--request-log-file <path>`: each finished request, in full as
 * `GET /v1/requests/<id>` shows it (credentials redacted), appended to a
 * file as one NDJSON line. Nothing reaches the disk unless asked. The file is
 * created 0600 (bodies may hold the app's data); an existing file is appended
 * to as it is. Writes are queued, never awaited on the traffic's path; past
 * MAX_QUEUED_BYTES not yet written (a disk slower than the traffic) lines are
 * dropped, and the next line written says how many.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { LogEntry } from './entry';
import type { RequestLog } from './log';

/** Bytes of lines queued for the file and not yet written past which new lines are dropped: 16 MiB. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export class RequestLogFile {
  readonly path: string;
  readonly #out: WriteStream;
  readonly #unsubscribe: () => void;
  readonly #onError: (message: string) => void;
  #dropped = 0;
  #failed = false;

  /**
   * Open `path` for appending (created 0600) and write every request of `log` as it ends.
   * Throws at once, the open's error (ENOENT, EACCES, EISDIR …) as its cause, so a bad path is a
   * start-up error.
   * `onError` hears, once, of a write that failed later (a full disk); the file is then given up.
   */
  constructor(path: string, log: RequestLog, onError: (message: string) => void) {
    this.path = path;
    this.#onError = onError;
    let fd: number;
    try {
      fd = openSync(path, 'a', 0o600);
    } catch (error) {
      throw new Error(`cannot open the request log file: ${(error as Error).message}`, { cause: error });
    }
    this.#out = createWriteStream(path, { fd });
    this.#out.on('error', (error) => this.#fail(error));
    this.#unsubscribe = log.onFinished((entry) => this.#write(entry));
  }

  /** Stop writing; lines already queued are flushed, then the file is closed (resolves then; never rejects). */
  close(): Promise<void> {
    this.#unsubscribe();
    if (this.#out.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#out.once('close', () => resolve()));
    if (!this.#out.writableEnded) this.#out.end();
    return done;
  }

  #write(entry: LogEntry): void {
    if (this.#failed) return;
    if (this.#out.writableLength > MAX_QUEUED_BYTES) {
      this.#dropped++;
      return;
    }
    if (this.#dropped > 0) {
      this.#out.write(`${JSON.stringify({ dropped: this.#dropped })}\n`);
      this.#dropped = 0;
    }
    this.#out.write(`${JSON.stringify(entry.record())}\n`);
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#unsubscribe();
    this.#onError(`the request log file ${this.path}: ${error.message}; no more requests are written to it`);
  }
}
