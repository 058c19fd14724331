/** Talking to a running client's control API (porthole ports, porthole wait). */
import http from 'node:http';
import { createInterface } from 'node:readline';
import type { AgentStatus } from '../agent';
import type { AgentEvent } from '../events';

export class NotRunningError extends Error {
  override readonly name = 'NotRunningError';
}

export type ControlEvent = AgentEvent | ({ event: 'snapshot' } & AgentStatus);

function notRunning(path: string, error: NodeJS.ErrnoException): NotRunningError {
  return new NotRunningError(
    error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
      ? `no porthole client is running (no control socket at ${path}); start one with 'porthole dev' or 'porthole connect'`
      : `cannot reach the porthole client at ${path}: ${error.message}`,
  );
}

/** A refusal relayed by the client (from itself or the gateway): `message` says why. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function getJson<T>(path: string, route: string): Promise<T> {
  return callJson<T>(path, 'GET', route);
}

/** One call to the control API; a non-2xx answer rejects with a ControlError. */
export function callJson<T>(path: string, method: string, route: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        socketPath: path,
        path: route,
        method,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new Error(`unexpected answer from the control socket: ${text.slice(0, 200)}`));
            return;
          }
          const status = res.statusCode ?? 500;
          if (status >= 200 && status < 300) resolve(parsed as T);
          else {
            const error = parsed as { error?: string; message?: string };
            reject(new ControlError(status, error.error ?? 'error', error.message ?? `status ${status}`));
          }
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => reject(notRunning(path, error)));
    req.end(payload);
  });
}

/** Follow the client's events; resolves when the stream ends. `stop()` ends it early. */
export function followEvents(
  path: string,
  onEvent: (event: ControlEvent) => void,
): { done: Promise<void>; stop(): void } {
  let request: http.ClientRequest | null = null;
  let stopped = false;
  const done = new Promise<void>((resolve, reject) => {
    request = http.get({ socketPath: path, path: '/v1/events' }, (res) => {
      res.on('error', () => resolve()); // Cut by stop() or by the client exiting: the stream is over.
      const lines = createInterface({ input: res });
      lines.on('line', (line) => {
        if (!stopped) onEvent(JSON.parse(line) as ControlEvent);
      });
      lines.on('error', () => resolve());
      lines.on('close', () => resolve());
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (stopped) resolve();
      else reject(notRunning(path, error));
    });
  });
  return {
    done,
    stop: () => {
      stopped = true;
      request?.destroy();
    },
  };
}
