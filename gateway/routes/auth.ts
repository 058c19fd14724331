/**
 * Sign-in with the team's identity provider, on the control plane (docs/identity.md):
 *
 * - `GET /auth/login?return=<path>[&prompt=login]`: 302 to the provider (oidc.ts), the sign-in in
 *   progress kept in the state cookie (oidc-state.ts); `return` must be a path here (return-path.ts,
 *   else 400 `return_invalid`); `prompt=login` is passed on (the provider asks who signs in, so
 *   another account can; any other `prompt` is ignored); 404 `oidc_not_configured` without OIDC_ISSUER.
 * - `GET /auth/callback`: the state cookie checked (400 `oidc_state`) and cleared, the code
 *   exchanged and the ID token verified (401 `oidc_failed`, 502 `oidc_unavailable`), an earlier
 *   sign-in of this browser signed out, the identity cookie set; 303 to the return path.
 * - `GET /auth`: who is signed in, HTML or JSON (`Accept: application/json`):
 *   `{signedIn, email, issuer, subject, groups, source}`.
 * - `GET /auth/logout`: a page with the button; `POST /auth/logout` (Origin must be this
 *   gateway's, else 403 `logout_refused`) signs the sign-in out in every session it opened
 *   (sign-out.ts), clears the identity cookie, 303 to /auth.
 */
import { Hono } from 'hono';
import { config } from '../config';
import type { AppEnv } from '../env';
import { clearIdentityCookie, mintIdentityCookie, readIdentityCookie } from '../identity/identity-cookie';
import { authorize, finishSignIn } from '../identity/oidc';
import { clearStateCookie, describeStateProblem, readStateCookie, stateCookie } from '../identity/oidc-state';
import { logoutRefused, oidcNotConfigured, oidcState, returnInvalid } from '../identity/refusals';
import { returnPath } from '../identity/return-path';
import { signedIn } from '../identity/signed-in';
import { signOutEverywhere } from '../identity/sign-out';
import { whoPage, logoutPage } from '../pages/auth-page';
import { baseOf } from '../routing/route';

export const auth = new Hono<AppEnv>();

/** Where the provider sends the browser back: this gateway's own callback, by the request's scheme and host. */
const callbackUri = (url: URL) => `${url.origin}/auth/callback`;

function oidcOf(env: AppEnv['Bindings']) {
  const cfg = config(env);
  if (cfg.identity.oidc === null) throw oidcNotConfigured();
  return { cfg, oidc: cfg.identity.oidc };
}

auth.get('/auth/login', async (c) => {
  const { cfg, oidc } = oidcOf(c.env);
  const url = new URL(c.req.url);
  const returnTo = returnPath(url.searchParams.get('return'));
  if (returnTo === null) throw returnInvalid();
  // `prompt=login` only: "another account" after a sign-out (the provider's own session would sign the same one in).
  const promptLogin = url.searchParams.get('prompt') === 'login';
  const { location, state } = await authorize(oidc, callbackUri(url), returnTo, promptLogin);
  const headers = new Headers({ location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  headers.append('set-cookie', await stateCookie(cfg, state, baseOf(url).scheme));
  return new Response(null, { status: 302, headers });
});

auth.get('/auth/callback', async (c) => {
  const { cfg, oidc } = oidcOf(c.env);
  const url = new URL(c.req.url);
  const { scheme } = baseOf(url);
  const clear = clearStateCookie(scheme);
  const state = await readStateCookie(c.req.raw, cfg, scheme, url.searchParams.get('state'));
  if (typeof state === 'string') throw oidcState(describeStateProblem(state), clear);
  const identity = await finishSignIn(oidc, url, callbackUri(url), state, clear);
  const earlier = await readIdentityCookie(c.req.raw, cfg);
  const minted = await mintIdentityCookie(cfg, identity, scheme);
  // The earlier sign-in of this browser ends before the new one starts (its port logins with it).
  if (earlier !== null) await signOutEverywhere(c.env, earlier, clearIdentityCookie(scheme));
  const headers = new Headers({
    location: state.returnTo,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  headers.append('set-cookie', clear);
  headers.append('set-cookie', minted.setCookie);
  return new Response(null, { status: 303, headers });
});

auth.get('/auth', async (c) => {
  const cfg = config(c.env);
  const who = await signedIn(c.req.raw, cfg);
  if (!(c.req.header('accept') ?? '').includes('application/json'))
    return whoPage(who, cfg.identity.oidc !== null, cfg.identity.access !== null);
  const identity = who?.identity ?? null;
  return c.json(
    {
      signedIn: identity !== null,
      email: identity?.email ?? null,
      issuer: identity?.issuer ?? null,
      subject: identity?.subject ?? null,
      groups: identity?.groups ?? [],
      source: identity?.source ?? null,
    },
    200,
    { 'cache-control': 'no-store' },
  );
});

auth.get('/auth/logout', async (c) => {
  const cfg = config(c.env);
  return logoutPage(cfg.identity.oidc === null ? null : await readIdentityCookie(c.req.raw, cfg));
});

/**
 * Whether a POST comes from a page of this origin: its `Origin` is ours; or, from a page whose
 * referrer policy is `no-referrer` (browsers then send `Origin: null`, Fetch standard), the
 * browser's `Sec-Fetch-Site: same-origin` says so (Fetch Metadata, W3C).
 */
function sameOrigin(request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  if (origin === url.origin) return true;
  return origin === 'null' && request.headers.get('sec-fetch-site') === 'same-origin';
}

auth.post('/auth/logout', async (c) => {
  const cfg = config(c.env);
  const url = new URL(c.req.url);
  // Same-origin only: a form on any other page (another session's preview too) must not sign anyone out.
  if (!sameOrigin(c.req.raw, url)) throw logoutRefused();
  const clear = clearIdentityCookie(baseOf(url).scheme);
  const current = await readIdentityCookie(c.req.raw, cfg);
  if (current !== null) await signOutEverywhere(c.env, current, clear);
  const headers = new Headers({ location: '/auth', 'cache-control': 'no-store', 'set-cookie': clear });
  return new Response(null, { status: 303, headers });
});
