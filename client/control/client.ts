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

export function getJson<T>(path: string, route: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: path, path: route }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch {
          reject(new Error(`unexpected answer from the control socket: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(notRunning(path, error)));
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
