/**
 * The session dashboard, rendered on the server with hono's html helper
 * (every interpolation is escaped). The panel is also served alone, so the
 * page's script redraws it from the same renderer when the live feed says
 * something changed.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ApiLink, ApiOwnerToken, ApiPort, ApiStatus, Visibility } from '../../protocol';

export interface DashboardState {
  session: string;
  status: ApiStatus;
  ports: ApiPort[];
  links: ApiLink[];
}

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const VISIBILITY_HELP: Record<Visibility, string> = {
  private: 'only you',
  link: 'holders of a share link',
  public: 'anyone with the URL',
};

const TTLS = [
  ['1h', 3600],
  ['24h', 86_400],
  ['7d', 604_800],
  ['10m', 600],
] as const;

function time(iso: string | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
}

function visibilitySelect(port: ApiPort): Html {
  return html`<select data-port="${port.port}" aria-label="Who may open port ${port.port}">
    ${(['private', 'link', 'public'] as const).map(
      (v) =>
        html`<option value="${v}" ${port.visibility === v ? raw('selected') : ''}>
          ${v} — ${VISIBILITY_HELP[v]}
        </option>`,
    )}
  </select>`;
}

function shareForm(port: ApiPort): Html {
  return html`<form class="share" data-port="${port.port}">
    <label
      >Link for
      <select name="ttl" aria-label="Lifetime of a new link to port ${port.port}">
        ${TTLS.map(([label, seconds]) => html`<option value="${seconds}">${label}</option>`)}
      </select></label
    >
    <input
      name="label"
      maxlength="200"
      placeholder="label (optional)"
      aria-label="Label of a new link to port ${port.port}"
    />
    <button type="submit">Create link</button>
  </form>`;
}

function portRow(port: ApiPort): Html {
  return html`<tr data-port-row="${port.port}">
    <th scope="row">${port.port}</th>
    <td>${port.process ?? html`<span class="muted">—</span>`}</td>
    <td>
      ${visibilitySelect(port)}
      ${
        port.listening
          ? ''
          : html`<p class="hint" data-not-listening="${port.port}">
              Nothing listens on port ${port.port} right now: this applies when something starts listening on it.
            </p>`
      }
    </td>
    <td class="url">
      <a href="${port.url}" target="_blank" rel="noopener noreferrer">${port.url}</a>
      <button type="button" data-copy="${port.url}" aria-label="Copy the URL of port ${port.port}">Copy</button>
    </td>
    <td>${time(port.firstSeen)}</td>
    <td>${shareForm(port)}</td>
  </tr>`;
}

function linkRow(link: ApiLink): Html {
  return html`<tr data-link-row="${link.id}">
    <th scope="row"><code>${link.id}</code></th>
    <td>${link.port}</td>
    <td>${link.label ?? html`<span class="muted">—</span>`}</td>
    <td>${time(link.expiresAt)}</td>
    <td class="url">
      <button type="button" data-copy="${link.url}" aria-label="Copy link ${link.id}">Copy link</button>
      <button type="button" class="danger" data-revoke="${link.id}" aria-label="Revoke link ${link.id}">Revoke</button>
    </td>
  </tr>`;
}

/** The live part of the page: tunnel banner, ports, links. */
export function panel(state: DashboardState): Html {
  const { status, ports, links } = state;
  const banner =
    status.tunnel === 'connected'
      ? html`<p class="status" role="status"><span class="up">●</span> Tunnel up since ${time(status.connectedAt)}</p>`
      : html`<p class="banner" role="alert">
          <strong>This session is offline.</strong> Its tunnel is not connected: start <code>porthole dev</code> or
          <code>porthole connect</code> in the session. Ports below come back when it reconnects.
        </p>`;
  // Live ports, and the ports the owner set a visibility for while they are down (with a hint that nothing listens).
  const listening = ports;
  return html`${banner}
    <section aria-labelledby="ports-title">
      <h2 id="ports-title">Ports <span class="count">${listening.length}</span></h2>
      ${
        listening.length === 0
          ? html`<p class="empty">
              No ports yet. Start a server in the session (e.g. <code>python3 -m http.server 8000</code>) and it appears
              here.
            </p>`
          : html`<div class="scroll">
              <table class="ports">
                <thead>
                  <tr>
                    <th scope="col">Port</th>
                    <th scope="col">Process</th>
                    <th scope="col">Who may open it</th>
                    <th scope="col">URL</th>
                    <th scope="col">First seen</th>
                    <th scope="col">Share</th>
                  </tr>
                </thead>
                <tbody>
                  ${listening.map(portRow)}
                </tbody>
              </table>
            </div>`
      }
    </section>
    <section aria-labelledby="links-title">
      <h2 id="links-title">Share links <span class="count">${links.length}</span></h2>
      ${
        links.length === 0
          ? html`<p class="empty">No live links. Set a port to <em>link</em> and create one above.</p>`
          : html`<div class="scroll">
              <table class="links">
                <thead>
                  <tr>
                    <th scope="col">Link</th>
                    <th scope="col">Port</th>
                    <th scope="col">Label</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  ${links.map(linkRow)}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
}

/**
 * The whole page. `token` is the page token (routes/page-token.ts): a short-lived owner token for the
 * page's calls to the JSON API, which the script renews before `token.expiresAt`.
 */
export function dashboardPage(state: DashboardState, token: ApiOwnerToken): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="porthole-session" content="${state.session}" />
        <meta name="porthole-token" content="${token.token}" />
        <meta name="porthole-token-expires" content="${token.expiresAt}" />
        <title>Porthole · session ${state.session}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body>
        <header>
          <h1>Porthole</h1>
          <p>
            Session <code>${state.session}</code>
            <span id="live" class="muted" role="status">live updates connecting…</span>
          </p>
          <button type="button" id="signout" class="danger">Sign out everywhere</button>
        </header>
        <div id="notice" role="status" aria-live="polite"></div>
        <main id="panel" aria-live="polite">${panel(state)}</main>
      </body>
    </html>`;
}
