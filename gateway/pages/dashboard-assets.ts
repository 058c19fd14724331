/**
 * The dashboard's stylesheet and script, served by the gateway itself (no
 * CDN, no build step). The script calls the same owner JSON API as the CLI,
 * with the short-lived owner token the page was rendered with, and redraws
 * the server-rendered panel whenever the session's live feed says so.
 */

export const DASHBOARD_CSS = `
:root{--fg:#1d1d1f;--muted:#6e6e73;--line:#d2d2d7;--bg:#fff;--accent:#0a66c2;--bad:#b3261e;--good:#1b7f3b;--warn:#fff4ce}
@media(prefers-color-scheme:dark){:root{--fg:#f5f5f7;--muted:#a1a1a6;--line:#3a3a3c;--bg:#1c1c1e;--accent:#4ea1ff;--bad:#ff6b61;--good:#4cd07d;--warn:#3d3410}}
*{box-sizing:border-box}
body{margin:0;padding:1rem;font:15px/1.45 system-ui,-apple-system,sans-serif;color:var(--fg);background:var(--bg)}
header h1{font-size:1.3rem;margin:0}
header p{margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
.count{color:var(--muted);font-weight:normal}
code{font-size:.9em}
.muted{color:var(--muted)}
.up{color:var(--good)}
.banner{background:var(--warn);border:1px solid var(--line);padding:.7rem .9rem;border-radius:6px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;min-width:40rem}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.85rem;color:var(--muted);font-weight:600}
td.url a{word-break:break-all;color:var(--accent)}
button,select,input{font:inherit;padding:.25rem .5rem;border:1px solid var(--line);border-radius:5px;background:var(--bg);color:var(--fg)}
button{cursor:pointer}
button:focus-visible,select:focus-visible,input:focus-visible,a:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
button.danger{color:var(--bad)}
form.share{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
form.share input{width:9rem}
#notice:not(:empty){margin:.5rem 0;padding:.6rem .8rem;border:1px solid var(--line);border-radius:6px}
#notice input{width:100%;margin:.3rem 0}
#notice.error{color:var(--bad)}
@media(max-width:40rem){body{padding:.6rem}table{min-width:0}thead{display:none}tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}
th,td{display:block;border:0;padding:.15rem 0}}
`;

export const DASHBOARD_JS = `
'use strict';
const meta = (name) => document.querySelector('meta[name="' + name + '"]').content;
const session = meta('porthole-session');
const token = meta('porthole-token');
const panel = document.getElementById('panel');
const notice = document.getElementById('notice');
const live = document.getElementById('live');

function say(text, error) {
  notice.className = error ? 'error' : '';
  notice.textContent = text;
}

async function api(method, path, body) {
  const response = await fetch('/api/sessions/' + session + path, {
    method,
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || 'The gateway answered ' + response.status);
  return data;
}

// One redraw at a time; a change that arrives during one is drawn right after it.
let drawing = null;
let again = false;
async function redraw() {
  if (drawing) {
    again = true;
    return drawing;
  }
  drawing = (async () => {
    do {
      again = false;
      const response = await fetch('/s/' + session + '/panel', { headers: { accept: 'text/html' } });
      if (response.status === 401) {
        say('Your dashboard login has expired: run "porthole dashboard" for a new link.', true);
        return;
      }
      if (response.ok) panel.innerHTML = await response.text();
    } while (again);
  })().finally(() => {
    drawing = null;
  });
  return drawing;
}

async function act(run) {
  try {
    await run();
    await redraw();
  } catch (error) {
    say(error.message, true);
  }
}

panel.addEventListener('change', (event) => {
  const select = event.target.closest('select[data-port]');
  if (!select) return;
  const port = select.dataset.port;
  act(async () => {
    await api('PATCH', '/ports/' + port, { visibility: select.value });
    say('Port ' + port + ' is now ' + select.value + '.');
  });
});

panel.addEventListener('submit', (event) => {
  const form = event.target.closest('form.share');
  if (!form) return;
  event.preventDefault();
  const data = new FormData(form);
  const port = Number(form.dataset.port);
  act(async () => {
    const link = await api('POST', '/links', {
      port,
      ttl: Number(data.get('ttl')),
      ...(data.get('label') ? { label: String(data.get('label')) } : {}),
    });
    notice.className = '';
    notice.replaceChildren();
    const label = document.createElement('label');
    label.textContent = 'New link to port ' + port + ' (expires ' + link.expiresAt.replace('T', ' ').slice(0, 16) + ' UTC):';
    const input = document.createElement('input');
    input.readOnly = true;
    input.value = link.url;
    input.id = 'new-link';
    label.append(input);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = 'Copy';
    copy.dataset.copy = link.url;
    copy.setAttribute('aria-label', 'Copy the new link');
    notice.append(label, copy);
  });
});

document.addEventListener('click', (event) => {
  const copy = event.target.closest('button[data-copy]');
  if (copy) {
    navigator.clipboard.writeText(copy.dataset.copy).then(
      () => say('Copied.'),
      () => say('Copy failed: select the text and copy it by hand.', true),
    );
    return;
  }
  const revoke = event.target.closest('button[data-revoke]');
  if (revoke) {
    const id = revoke.dataset.revoke;
    act(async () => {
      await api('DELETE', '/links/' + id);
      say('Link ' + id + ' revoked.');
    });
  }
});

const feed = new EventSource('/s/' + session + '/events');
feed.addEventListener('change', () => {
  live.textContent = 'live';
  redraw();
});
feed.addEventListener('error', () => {
  live.textContent = 'live updates reconnecting…';
});
`;
