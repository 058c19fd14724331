/**
 * The sign-in pages of the control plane (routes/auth.ts): who is signed in (`GET /auth`), and the
 * sign-out page (`GET /auth/logout`), whose button is a same-origin form POST. Built with hono's
 * `html` helper: every interpolation is escaped.
 */
import { html, raw } from 'hono/html';
import type { SignedIn } from '../identity/signed-in';

/** Nothing loads; inline style only; the one form posts to this origin. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:.5rem 0}code{font-size:.9em;background:#8882;padding:0 .2em;border-radius:3px}
button{font:inherit;padding:.3rem .9rem}
@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}}`;

function respond(title: string, body: ReturnType<typeof html>): Response {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · Porthole</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
      </body>
    </html>`;
  return new Response(String(page), {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': CSP,
      // Not no-referrer: under it a browser sends `Origin: null` with the sign-out form, which the
      // same-origin check must refuse. Nothing leaves for another site all the same.
      'referrer-policy': 'same-origin',
    },
  });
}

/**
 * `GET /auth` as HTML: the identity, or how to sign in (`canSignIn`: OIDC is configured; `access`:
 * ACCESS_TEAM_DOMAIN is, so a request without an assertion did not come through Access).
 */
export function whoPage(signedIn: SignedIn | null, canSignIn: boolean, access = false): Response {
  if (signedIn === null && access && !canSignIn) {
    return respond(
      'Not signed in',
      html`<p>
        This request carries no Cloudflare Access assertion. Open this gateway through its Access application (it must
        protect the control domain and the preview names), which signs you in.
      </p>`,
    );
  }
  if (signedIn === null) {
    return respond(
      'Not signed in',
      canSignIn
        ? html`<p>This browser is not signed in. <a href="/auth/login">Sign in</a> with your identity provider.</p>
            <p>
              Signing out here does not sign you out of the provider, which may sign the same account in again without
              asking: <a href="/auth/login?prompt=login">sign in with another account</a> has it ask.
            </p>`
        : html`<p>This browser is not signed in, and this gateway has no identity provider to sign in with.</p>`,
    );
  }
  const { identity } = signedIn;
  const groups = identity.groups.length ? identity.groups.join(', ') : 'none';
  const verified = identity.email === null ? '' : identity.emailVerified ? ' (verified)' : ' (not verified)';
  return respond(
    'Signed in',
    html`<p>Signed in as <strong>${identity.email ?? identity.subject}</strong>${verified}.</p>
      <p>
        Subject <code>${identity.subject}</code> at <code>${identity.issuer}</code>, through
        ${identity.source === 'access' ? 'Cloudflare Access' : 'the identity provider'}.
      </p>
      <p>Groups: ${groups}.</p>
      ${identity.source === 'oidc' ? html`<p><a href="/auth/logout">Sign out</a></p>` : ''}`,
  );
}

/** `GET /auth/logout`: the button that POSTs the sign-out (a link alone never signs anyone out). */
export function logoutPage(signedIn: SignedIn | null): Response {
  const who = signedIn
    ? html`<p>Signed in as <strong>${signedIn.identity.email ?? signedIn.identity.subject}</strong>.</p>`
    : '';
  return respond(
    'Sign out',
    html`${who}
      <p>Signing out ends this browser's sign-in and the port logins it gave in every session.</p>
      <p>
        It does not sign you out of your identity provider: to use another account, choose "sign in with another
        account" next.
      </p>
      <form method="post" action="/auth/logout"><button type="submit">Sign out</button></form>`,
  );
}
