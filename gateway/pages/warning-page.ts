/**
 * The public-preview warning page (access/interstitial.ts): whose content this is, and a
 * "Continue" link. No script (the preview hosts' CSP stays the app's own); hono's `html` escapes.
 */
import { html, raw } from 'hono/html';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:.5rem 0}a.go{display:inline-block;margin-top:1rem;padding:.5rem 1rem;
border-radius:.4rem;background:#1f5fbf;color:#fff;text-decoration:none}code{font-size:.9rem}
@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}}`;

/**
 * @param port the preview's port; @param session the session id;
 * @param continueUrl the same URL with the continue parameter.
 */
export function warningPage(port: number, session: string, continueUrl: string): Response {
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>A preview of a development session · Porthole</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <h1>You are about to open a development preview</h1>
        <p>
          This page is served by port <code>${String(port)}</code> of the development session <code>${session}</code>,
          from a machine its owner controls. It is not a page of this site's operator: do not enter passwords or
          personal data unless you trust whoever sent you the link.
        </p>
        <a class="go" href="${continueUrl}">Continue to the preview</a>
      </body>
    </html>`;
  return new Response(String(body), {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-porthole-warning': 'public-preview',
    },
  });
}
