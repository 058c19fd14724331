/**
 * Small, self-contained error pages: HTML for browsers, JSON for everything
 * else. The HTML is built with hono's `html` helper, as the dashboard is, so
 * every interpolation is escaped the same way.
 */
import { html, raw } from 'hono/html';
import { healMarkup, healSources, newNonce, type Waiting, waitingOf } from './heal';
import { inlineCode } from './inline-code';

/** What a page needs of an error (GatewayError has these). */
export interface PageError {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  problems?: readonly string[] | undefined;
  /** What a waiting answer waits for (`port 3000`): its HTML to a GET heals by itself (heal.ts). */
  waitingFor?: string | undefined;
}

/**
 * Every HTML error page's policy: nothing loads, inline style only (every interpolation is
 * escaped, so no markup is the viewer's), no base or form target; a waiting page adds its
 * script's nonce and its re-checks (heal.ts healSources).
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  426: 'Upgrade required',
  431: 'Request headers too large',
  500: 'Gateway error',
  502: 'Bad gateway',
  503: 'Unavailable',
  504: 'Gateway timeout',
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:.5rem 0}code{color:#666;font-size:.85rem}
h1+p code,li code{color:inherit;font-size:.9em;background:#8882;padding:0 .2em;border-radius:3px}
@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}code{color:#999}}`;

/** True when the viewer asked for HTML (a browser's navigation). */
function wantsHtml(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return accept.includes('text/html');
}

function page(error: PageError, heal: { waiting: Waiting; nonce: string } | null): string {
  const title = titles[error.status] ?? 'Error';
  const list = error.problems?.length
    ? html`<ul>
        ${error.problems.map((p) => html`<li>${inlineCode(p)}</li>`)}
      </ul>`
    : '';
  // With a list, the message's own inline copy of it (up to its first colon) is left out.
  const text = error.problems?.length ? error.message.slice(0, error.message.indexOf(':') + 1) : error.message;
  const message = inlineCode(text);
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${error.status} ${title} · Porthole</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        <p>${message}</p>
        ${list} ${heal ? healMarkup(heal.waiting, heal.nonce) : ''}
        <p><code>${error.status} · ${error.code} · Porthole</code></p>
      </body>
    </html>`;
  // Only strings are interpolated above, so hono renders synchronously.
  return String(body);
}

/**
 * The answer for an error: `{error, status, message}` (and `problems`) as JSON, the message as
 * written (backticks kept), or an HTML page (backticked spans as <code>: inline-code.ts).
 */
export function errorPage(request: Request, error: PageError): Response {
  const headers = new Headers(error.headers);
  headers.set('cache-control', 'no-store');
  headers.set('x-porthole-error', error.code);
  if (!wantsHtml(request)) {
    headers.set('content-type', 'application/json; charset=utf-8');
    const json = {
      error: error.code,
      status: error.status,
      message: error.message,
      ...(error.problems ? { problems: error.problems } : {}),
    };
    return new Response(JSON.stringify(json), { status: error.status, headers });
  }
  headers.set('content-type', 'text/html; charset=utf-8');
  const waiting = waitingOf(request, error);
  const heal = waiting ? { waiting, nonce: newNonce() } : null;
  headers.set('content-security-policy', heal ? `${CSP}; ${healSources(heal.nonce)}` : CSP);
  return new Response(page(error, heal), { status: error.status, headers });
}
