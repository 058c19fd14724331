/**
 * porthole wait <port>: block until the port answers through the gateway, then
 * print its URL. For scripts and coding agents: `url=$(porthole wait 3000)`.
 */
import http from 'node:http';
import https from 'node:https';
import type { ApiOwnerToken } from '../../protocol';
import { callJson, type ControlEvent, followEvents, NoClientError } from '../control/client';
import { lookup } from '../net/lookup';
import type { Exposure } from '../ports/exposure';
import { WAIT_HELP } from './help';
import { clientCommand } from './command';
import { parseDuration } from './duration';
import { check, parsePort, UsageError } from './options';
import { CliError } from './output';

/** setTimeout's own limit (2^31-1 ms, about 24.8 days) rounded down: longer ones would fire at once. */
const TIMEOUT_BOUNDS = { min: 1, max: 24 * 86_400_000, subject: 'a wait may last' };

/** Which statuses count as the server's answer: `200`, a class `2xx`, or any (undefined). */
type StatusWanted = { min: number; max: number } | undefined;

/** `--status 200` or `--status 2xx`; a problem otherwise. */
function parseStatus(text: string | undefined, problems: string[]): StatusWanted {
  if (text === undefined) return undefined;
  const klass = /^([1-5])xx$/i.exec(text);
  if (klass) return { min: Number(klass[1]) * 100, max: Number(klass[1]) * 100 + 99 };
  if (/^[1-5][0-9]{2}$/.test(text)) return { min: Number(text), max: Number(text) };
  problems.push(`--status: '${text}' is not a status (200) or a class of them (2xx)`);
  return undefined;
}

/**
 * One request to the URL through the gateway, as the owner when given a token: null when the origin
 * (not Porthole) answered with a wanted status, else what did: Porthole's error (`502 origin_error`),
 * the server's other status (`404 from the server`) or why none came.
 */
function answersThroughGateway(
  url: string,
  gateway: string,
  wanted: StatusWanted,
  ownerToken?: string,
): Promise<string | null> {
  const target = new URL(url);
  const base = new URL(gateway);
  const lib = base.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    // Connect to the gateway itself, with the port's host name in the Host header.
    const req = lib.request(
      {
        host: base.hostname,
        lookup,
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        method: 'GET',
        path: target.pathname,
        headers: {
          host: target.host,
          accept: 'application/json',
          ...(ownerToken ? { 'x-porthole-token': ownerToken } : {}),
        },
        servername: target.hostname,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        const code = res.headers['x-porthole-error'];
        const status = res.statusCode ?? 0;
        if (code !== undefined) resolve(`${status} ${String(code)}`);
        else if (wanted && (status < wanted.min || status > wanted.max)) resolve(`${status} from the server`);
        else resolve(null);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', (error) => resolve(`no answer from the gateway (${error.message})`));
    req.end();
  });
}

const options = { timeout: { type: 'string' }, status: { type: 'string' }, json: { type: 'boolean' } } as const;

/** Milliseconds between tries while no client answers on the control socket. */
const CLIENT_RETRY_MS = 200;

/** `call()`, tried again every CLIENT_RETRY_MS while no client answers, until `deadline` (ms since the epoch); then its NoClientError. */
async function untilClient<T>(call: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof NoClientError) || Date.now() + CLIENT_RETRY_MS > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, CLIENT_RETRY_MS));
    }
  }
}

export const wait = clientCommand(WAIT_HELP, options, async ({ values, positionals }, control, out) => {
  const problems: string[] = [];
  if (positionals.length !== 1) throw new UsageError('give exactly one port: porthole wait <port>');
  const port = parsePort(positionals[0] as string, 'port', problems);
  const timeoutMs = parseDuration(values.timeout ?? '30s', '--timeout', problems, TIMEOUT_BOUNDS);
  const wanted = parseStatus(values.status, problems);
  check(problems);

  // A client started just before (`porthole dev & porthole wait 3000`) may not listen yet: wait for it too.
  const deadline = Date.now() + timeoutMs;
  const exposure = await untilClient(() => callJson<Exposure>(control, 'GET', `/v1/ports/${port}`), deadline);
  // A port nothing will expose by itself is not worth waiting for: say why, and what to run.
  if (!exposure.exposed && exposure.reason !== null) {
    const fix = exposure.canExpose ? `; run 'porthole expose ${port}' to expose it` : '';
    throw new CliError('not_exposed', `port ${port} is not exposed: ${exposure.reason}${fix}`, { port });
  }

  let gateway = '';
  let url: string | null = null;
  let checking = false;
  /** What the last probe got instead of the origin's answer, e.g. `502 origin_error`. */
  let lastAnswer: string | null = null;
  let finished = false;
  let result: (code: number) => void = () => {};
  let failed: (error: CliError) => void = () => {};
  const outcome = new Promise<number>((resolve, reject) => {
    result = resolve;
    failed = reject;
  });
  // Private ports answer their owner only: probe as the owner (a short-lived token).
  let owner: Promise<string | undefined> | null = null;
  const ownerToken = () =>
    (owner ??= callJson<ApiOwnerToken>(control, 'POST', '/v1/token', { ttl: 600 }).then(
      (t) => t.token,
      () => {
        owner = null; // Try again on the next probe (the gateway may be starting).
        return undefined;
      },
    ));
  const follow = followEvents(control, (event: ControlEvent) => {
    if (event.event === 'snapshot') {
      gateway = event.gateway;
      url = event.ports.find((p) => p.port === port)?.url ?? null;
    } else if (event.event === 'port.open' && event.port === port) {
      url = event.url;
    } else if (event.event === 'port.close' && event.port === port) {
      url = null;
    }
    void probe();
  });
  // Announced is not yet answering: probe until the origin itself replies.
  const probe = async (): Promise<void> => {
    if (checking || finished || !url) return;
    checking = true;
    const candidate = url;
    const answer = await answersThroughGateway(candidate, gateway, wanted, await ownerToken());
    checking = false;
    if (finished) return;
    lastAnswer = answer;
    if (answer === null) {
      finished = true;
      out.result({ port, url: candidate }, candidate);
      result(0);
    } else {
      retry = setTimeout(() => void probe(), 200);
    }
  };
  let retry: NodeJS.Timeout | undefined;
  const timer = setTimeout(
    () => {
      finished = true;
      failed(
        new CliError(
          'timeout',
          `port ${port} did not answer through the gateway within ${values.timeout ?? '30s'}` +
            (lastAnswer
              ? ` (the last try got ${lastAnswer})`
              : url
                ? ''
                : ' (it has no URL yet: nothing listens on it)'),
          { port, ...(lastAnswer ? { lastAnswer } : {}) },
        ),
      );
    },
    Math.max(0, deadline - Date.now()),
  );
  try {
    return await Promise.race([
      outcome,
      follow.done.then(() => {
        if (finished) return outcome;
        finished = true;
        throw new CliError('client_stopped', 'the porthole client stopped', { port });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    clearTimeout(retry);
    follow.stop();
  }
});
