// @ts-check
/**
 * The dashboard's script, served by the gateway itself at /assets/dashboard.js
 * (embedded in the Worker at build time; no CDN, no framework). It calls the
 * same owner JSON API as the CLI, with the short-lived page token it was
 * rendered with (renewed with the page's cookie a minute before it ends, and
 * once more when the API says it has expired), and redraws the server-rendered panel whenever the
 * session's live feed says something changed. Type-checked (JSDoc) by
 * tsconfig.dashboard.json with the DOM library. Classic scripts sharing the page's globals, in
 * order: dashboard-format.js (pure helpers), this one, dashboard-links.js, dashboard-ports.js,
 * dashboard-request-detail.js and dashboard-requests.js.
 */
/* global setTimeout, clearTimeout, confirm, localTime, codeParts */
/* exported api, act, say, closest, byId, panel, renew, ended, session, token, signedOut */
'use strict';

/** @param {string} name @returns {string} */
const meta = (name) => /** @type {HTMLMetaElement} */ (document.querySelector(`meta[name="${name}"]`)).content;

/** @template {HTMLElement} T @param {string} id @returns {T} */
const byId = (id) => /** @type {T} */ (document.getElementById(id));

const session = meta('porthole-session');
let token = meta('porthole-token');
let tokenExpires = Date.parse(meta('porthole-token-expires'));
/** Renew this long before the page token ends, in milliseconds. */
const RENEW_BEFORE_MS = 60_000;
let signedOut = false;
/** This page asked to sign out everywhere: the feed's word on it is this page's own. */
let signingOut = false;
const panel = byId('panel');
const notice = byId('notice');
const live = byId('live');

/** The text's parts, backticked spans as <code> (the gateway's messages mark commands so). @param {string} text */
const withCode = (text) =>
  codeParts(text).map((part) => {
    if (!part.code) return document.createTextNode(part.text);
    const code = document.createElement('code');
    code.textContent = part.text;
    return code;
  });

/** Show `text` in the notice, and anything else given after it. @param {string} text @param {boolean} [error] @param {Node[]} [more] */
function say(text, error, more = []) {
  notice.className = error ? 'error' : '';
  notice.replaceChildren(...withCode(text), ...more);
}

/** Every <time> under `root` in the viewer's own time zone (the page is sent in UTC). @param {ParentNode} root */
function localize(root) {
  for (const element of root.querySelectorAll('time[datetime]')) {
    const iso = element.getAttribute('datetime') ?? '';
    element.textContent = localTime(iso);
    element.setAttribute('title', `${iso.replace('T', ' ').slice(0, 16)} UTC`);
  }
}

/** Stop every live part of the page: its login has ended. @param {string} text */
function ended(text) {
  if (signedOut) return; // The first word on it stands.
  signedOut = true;
  feed.close();
  live.textContent = '';
  byId('signout').setAttribute('disabled', '');
  say(text, true);
}

/**
 * A new page token for the page's cookie (same-origin only, routes/page-token.ts); false when the
 * cookie no longer signs in (the page then says so).
 * @returns {Promise<boolean>}
 */
async function renew() {
  const response = await fetch(`/s/${session}/page-token`, {
    method: 'POST',
    headers: { 'x-porthole-page': 'renew', accept: 'application/json' },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    ended(data.message || `Your dashboard login has ended: run "porthole dashboard" for a new link.`);
    return false;
  }
  token = data.token;
  tokenExpires = Date.parse(data.expiresAt);
  localize(document);
  schedule();
  return true;
}

/** @type {ReturnType<typeof setTimeout> | null} */
let renewal = null;
function schedule() {
  if (renewal) clearTimeout(renewal);
  renewal = setTimeout(() => void renew(), Math.max(1000, tokenExpires - Date.now() - RENEW_BEFORE_MS));
}

/**
 * One owner API call; throws with the gateway's message on a refusal. An expired page token (a
 * laptop that slept past the renewal) is renewed once and the call made again.
 * @param {string} method
 * @param {string} path under /api/sessions/<session>
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function api(method, path, body, retried = false) {
  const response = await fetch(`/api/sessions/${session}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && data.error !== 'signed_out' && !retried && (await renew())) {
    return api(method, path, body, true);
  }
  if (response.status === 401 && data.error === 'signed_out') ended(data.message);
  if (!response.ok) throw new Error(data.message || `The gateway answered ${response.status}`);
  return data;
}

// One redraw at a time; a change that arrives during one is drawn right after it.
/** @type {Promise<void> | null} */
let drawing = null;
let again = false;

/** @returns {Promise<void>} */
async function redraw() {
  if (drawing) {
    again = true;
    return drawing;
  }
  drawing = (async () => {
    do {
      again = false;
      const response = await fetch(`/s/${session}/panel`, { headers: { accept: 'text/html' } });
      if (response.status === 401) {
        const data = await response.json().catch(() => ({}));
        ended(data.message || 'Your dashboard login has ended: run "porthole dashboard" for a new link.');
        return;
      }
      if (response.ok) {
        panel.innerHTML = await response.text();
        localize(panel);
      }
    } while (again);
  })().finally(() => {
    drawing = null;
  });
  return drawing;
}

/** Run a change, then redraw; a failure is shown in the notice. @param {() => Promise<void>} run */
async function act(run) {
  try {
    await run();
    await redraw();
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), true);
  }
}

/** The closest element matching `selector` from an event's target, if any. @param {Event} event @param {string} selector */
const closest = (event, selector) =>
  event.target instanceof Element ? /** @type {HTMLElement | null} */ (event.target.closest(selector)) : null;

panel.addEventListener('change', (event) => {
  const select = /** @type {HTMLSelectElement | null} */ (closest(event, 'select[data-port]'));
  if (!select) return;
  const port = select.dataset.port;
  // The choice in force, as last drawn: a refused change (409 org_policy_missing …) puts it back.
  const before = [...select.options].find((option) => option.defaultSelected)?.value;
  act(async () => {
    try {
      await api('PATCH', `/ports/${port}`, { visibility: select.value });
    } catch (error) {
      if (before !== undefined) select.value = before;
      throw error;
    }
    say(`Port ${port} is now ${select.value}.`);
  });
});

document.addEventListener('click', (event) => {
  const copy = closest(event, 'button[data-copy]');
  if (copy) {
    navigator.clipboard.writeText(copy.dataset.copy ?? '').then(
      () => say('Copied.'),
      () => say('Copy failed: select the text and copy it by hand.', true),
    );
  }
});

byId('signout').addEventListener('click', () => {
  const really = confirm(
    'Sign out everywhere? Every owner token, dashboard and preview login of this session stops working ' +
      '(the session and its tunnel keep running).',
  );
  if (!really) return;
  signingOut = true;
  api('POST', '/signout').then(
    () =>
      ended(
        'Signed out everywhere. Run "porthole dashboard" (or "porthole login <port>") in the session to sign in again.',
      ),
    (error) => {
      signingOut = false;
      say(error instanceof Error ? error.message : String(error), true);
    },
  );
});

const feed = new EventSource(`/s/${session}/events`);
feed.addEventListener('change', (event) => {
  if (signedOut) return;
  const what = JSON.parse(/** @type {MessageEvent} */ (event).data).what;
  // Every login (sign out everywhere) or this page's own (its cookie expired) has ended.
  if (what === 'ended') {
    ended('This session has ended: its tunnel, ports and links are gone.');
    return;
  }
  if (what === 'signout' || what === 'expired') {
    if (signingOut) return;
    void renew(); // Fails, and says so, unless this page signed in again since.
    return;
  }
  live.textContent = 'live';
  redraw();
});
feed.addEventListener('error', () => {
  if (!signedOut) live.textContent = 'live updates reconnecting…';
});
localize(document);
schedule();
