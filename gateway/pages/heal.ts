/**
 * Pages that heal (issue 16 item 3): the HTML of a waiting answer — a GatewayError that names what
 * it waits for (`waitingFor`: `port_not_listening`, `session_offline`, `origin_unreachable`,
 * `tunnel_lost`, `too_many_streams`, `viewer_stream_limit`, `session_asleep`; docs/viewer-answers.md says why these)
 * and carries `Retry-After` — to a GET comes back by itself. A small inline
 * script (allowed by a per-answer CSP nonce) re-checks the page's own URL with `HEAD`, one request
 * in flight at most, first after the answer's Retry-After, then backing off ×1.5 up to 30 s (plus
 * up to 25% jitter, never sooner than the latest Retry-After), paused while the tab is hidden,
 * giving up after 10 minutes of waiting with a line saying so and a Reload button. When the
 * answer is no longer the same Porthole waiting error (its `X-Porthole-Error` header is another
 * code, or absent: the app answered), the page reloads. Never for another method: a POST must not
 * be sent again. JSON answers are untouched (error-page.ts).
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** The inline script. It reads its settings from the `#porthole-wait` element's data attributes. */
const SCRIPT = `(function () {
  var root = document.getElementById('porthole-wait');
  if (!root || !window.fetch) return;
  var code = root.getAttribute('data-code');
  var MAX_DELAY = 30000, GIVE_UP = 600000;
  function ms(seconds) { var s = Number(seconds); return isFinite(s) && s > 0 ? s * 1000 : 0; }
  var retryAfter = ms(root.getAttribute('data-retry-after')) || 2000;
  var delay = retryAfter, spent = 0, left = 0, since = 0, timer = 0, busy = false, done = false;
  function jittered(base) { return Math.max(retryAfter, Math.min(MAX_DELAY, base * (1 + Math.random() * 0.25))); }
  function wait(time) {
    left = time;
    if (document.hidden) return;
    since = Date.now();
    timer = setTimeout(check, time);
  }
  function pause() {
    if (!timer) return;
    clearTimeout(timer);
    timer = 0;
    var ran = Date.now() - since;
    spent += ran;
    left = Math.max(0, left - ran);
  }
  function resume() { if (!done && !busy && !timer) wait(left); }
  function giveUp() {
    done = true;
    root.querySelector('.porthole-state').textContent = 'Stopped waiting after 10 minutes. Reload to try again.';
    var button = root.querySelector('button');
    button.hidden = false;
    button.addEventListener('click', function () { location.reload(); });
  }
  function again(answerRetryAfter) {
    retryAfter = answerRetryAfter || retryAfter;
    delay = Math.min(MAX_DELAY, delay * 1.5);
    if (spent >= GIVE_UP) giveUp(); else wait(jittered(delay));
  }
  function check() {
    timer = 0;
    spent += Date.now() - since;
    busy = true;
    fetch(location.href, { method: 'HEAD', cache: 'no-store', credentials: 'same-origin', redirect: 'manual' }).then(
      function (answer) {
        busy = false;
        if (answer.headers.get('x-porthole-error') !== code) return location.reload();
        again(ms(answer.headers.get('retry-after')));
      },
      function () { busy = false; again(0); }
    );
  }
  document.addEventListener('visibilitychange', function () { if (document.hidden) pause(); else resume(); });
  wait(jittered(delay));
})();`;

/** What a waiting page needs of its error. */
export interface Waiting {
  code: string;
  /** What it waits for, as the page says it: `port 3000`, `the session`, `a free stream`. */
  waitingFor: string;
  /** Seconds, from the answer's Retry-After. */
  retryAfter: string;
}

/**
 * Whether the answer to `request` heals: a GET (never another method: no form is re-sent) of an
 * error that names what it waits for and has a Retry-After. Null when it does not.
 */
export function waitingOf(
  request: Request,
  error: { code: string; waitingFor?: string | undefined; headers: Record<string, string> },
): Waiting | null {
  const retryAfter = error.headers['retry-after'];
  if (request.method !== 'GET' || error.waitingFor === undefined || retryAfter === undefined) return null;
  return { code: error.code, waitingFor: error.waitingFor, retryAfter };
}

/** A fresh CSP nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** The CSP sources a waiting page adds: its one script, and the HEAD re-checks of its own URL. */
export function healSources(nonce: string): string {
  return `script-src 'nonce-${nonce}'; connect-src 'self'`;
}

/** The page's "Waiting for …" line, its hidden Reload button, and the script. */
export function healMarkup(waiting: Waiting, nonce: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<div id="porthole-wait" data-code="${waiting.code}" data-retry-after="${waiting.retryAfter}">
      <p class="porthole-state">Waiting for ${waiting.waitingFor}… this page reloads by itself.</p>
      <button type="button" hidden>Reload</button>
    </div>
    <script nonce="${nonce}">
      ${raw(SCRIPT)};
    </script>`;
}
