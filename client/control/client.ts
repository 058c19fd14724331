/** Talking to a running client's control API (porthole ports, share, wait …) over its unix socket. */
import http from 'node:http';
import { createInterface } from 'node:readline';
import type { AgentStatus } from '../agent';
import type { AgentEvent } from '../events';
import { PortholeApiError, requestJson } from '../net/http';
import { checkControlSocket } from './paths';

export type ControlEvent = AgentEvent | ({ event: 'snapshot' } & AgentStatus);

/** No porthole client answers on the control socket (none runs there, or it cannot be reached). */
export class NoClientError extends Error {
  override readonly name = 'NoClientError';
  /** Stable code, as the CLI's `--json` failure reports it. */
  readonly code = 'no_client';
}

/** Nothing answers on the control socket: no client runs there (or it cannot be reached). */
function notRunning(path: string, error: NodeJS.ErrnoException): Error {
  return new NoClientError(
    error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
      ? `no porthole client is running (no control socket at ${path}); start one with 'porthole dev' or 'porthole connect'`
      : `cannot reach the porthole client at ${path}: ${error.message}`,
  );
}

/** GET `route` on the control socket at `path`; see callJson. */
export function getJson<T>(path: string, route: string): Promise<T> {
  return callJson<T>(path, 'GET', route);
}

/**
 * One call to the control API at the socket `path`. Resolves with the JSON
 * answer; rejects with a PortholeApiError for a refusal (the client's own, or the
 * gateway's relayed as it sent it), with an Error saying so when no client
 * answers on the socket, and with an UnsafePathError when the socket or its
 * folder is not this user's own (checkControlSocket).
 */
export async function callJson<T>(path: string, method: string, route: string, body?: unknown): Promise<T> {
  checkControlSocket(path);
  return requestJson<T>({ method, url: new URL(route, 'http://control'), socketPath: path, body }).catch(
    (error: NodeJS.ErrnoException) => {
      throw error instanceof PortholeApiError ? error : notRunning(path, error);
    },
  );
}

/**
 * Follow the client's events (GET /v1/events: a `snapshot`, then every event);
 * as followJson.
 */
export function followEvents(
  path: string,
  onEvent: (event: ControlEvent) => void,
): { done: Promise<void>; stop(): void } {
  return followJson<ControlEvent>(path, '/v1/events', onEvent);
}

/**
 * Follow an NDJSON route of the control API (`/v1/events`, `/v1/requests?follow=1`), calling
 * `onValue` with each line parsed. `done` resolves when the stream ends (the client stopped, or
 * stop() was called), rejects with a PortholeApiError when the route refuses (a bad filter: 400) and with
 * an Error saying so when no client answers; `stop()` ends it early. Throws an UnsafePathError
 * when the socket or its folder is not this user's own (checkControlSocket).
 */
export function followJson<T>(
  path: string,
  route: string,
  onValue: (value: T) => void,
): { done: Promise<void>; stop(): void } {
  checkControlSocket(path);
  let request: http.ClientRequest | null = null;
  let stopped = false;
  const done = new Promise<void>((resolve, reject) => {
    request = http.get({ socketPath: path, path: route }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk.slice(0, 64 * 1024 - text.length)));
        res.on('error', () => resolve());
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = { message: text.slice(0, 300) };
          }
          reject(PortholeApiError.from(res.statusCode ?? 0, body));
        });
        return;
      }
      res.on('error', () => resolve()); // Cut by stop() or by the client exiting: the stream is over.
      const lines = createInterface({ input: res });
      lines.on('line', (line) => {
        if (!stopped && line) onValue(JSON.parse(line) as T);
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
