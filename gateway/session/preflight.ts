/**
 * A CORS preflight let through to a non-public port without a credential
 * (access/admission.ts, viewer `preflight`) carries only its question, and its
 * viewer gets back only the CORS part of the answer. So an OPTIONS that merely
 * looks like a preflight cannot smuggle a body, an `Authorization` or a cookie
 * to a private app, nor read what the app says beyond CORS.
 */
import type { Mux } from '../../protocol';
import type { ViewerRoute } from '../routing/route';
import type { Deadlines } from './deadlines';
import { type Limits, proxyHttp } from './http-bridge';

/** Request headers a preflight carries to the origin (Host and X-Forwarded-* are the gateway's own). */
const QUESTION = /^(origin|access-control-request-.+)$/;
/** Response headers of the app's answer a preflight's viewer gets. */
const ANSWER = /^(access-control-.+|vary)$/;

/** The preflight as the origin gets it: OPTIONS, no body, only Origin and Access-Control-Request-*. */
export function preflightQuestion(request: Request): Request {
  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (QUESTION.test(name)) headers.set(name, value);
  });
  return new Request(request.url, { method: 'OPTIONS', headers, signal: request.signal });
}

/** The app's answer as the viewer gets it: its status and its Access-Control-* and Vary headers, no body. */
export async function preflightAnswer(response: Response): Promise<Response> {
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    if (ANSWER.test(name)) headers.append(name, value);
  });
  // The app's body is not the viewer's to read; cancelling it frees the tunnel stream.
  await response.body?.cancel().catch(() => {});
  return new Response(null, { status: response.status, headers });
}

/** Forward a preflight's question to the origin and hand back the CORS part of its answer. */
export async function proxyPreflight(
  mux: Pick<Mux, 'open'>,
  request: Request,
  route: ViewerRoute,
  limits: Limits,
  deadlines: Deadlines<object>,
): Promise<Response> {
  return preflightAnswer(
    await proxyHttp(mux, preflightQuestion(request), route, limits, deadlines, { kind: 'preflight' }),
  );
}
