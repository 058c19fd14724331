/**
 * The session dashboard, rendered on the server with hono's html helper
 * (every interpolation is escaped). The panel is also served alone, so the
 * page's script redraws it from the same renderer when the live feed says
 * something changed.
 */
import { html } from 'hono/html';
import type { ApiLink, ApiOwnerToken, ApiPort, ApiStatus } from '../../protocol';
import { type Html, LINK_COLUMNS, linkRow, PORT_COLUMNS, portRow, time } from './dashboard-rows';

export interface DashboardState {
  session: string;
  status: ApiStatus;
  ports: ApiPort[];
  links: ApiLink[];
  /** The control origin the page is served from (e.g. `http://porthole.localhost:8787`): the forward commands' `--gateway`. */
  gateway: string;
  /** Who the owner is signed in as, when the dashboard was opened by identity (docs/identity.md); else absent. */
  signedInAs?: string;
}

/** Column captions of the requests panel, in order (assets/dashboard-requests.js fills the rows). */
export const REQUEST_COLUMNS = ['Time', 'Port', 'Viewer', 'Method', 'Path', 'Status', 'ms', 'Bytes in / out'] as const;

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
          : html`<p class="muted forward-note">
                From your machine, <code>porthole forward</code> reaches a port over raw TCP, so non-HTTP ports too
                (databases, Redis …). It needs an owner token: run <code>porthole token</code> in the session and give
                it as <code>PORTHOLE_OWNER_TOKEN</code>.
              </p>
              <div class="scroll">
                <table class="ports">
                  <thead>
                    <tr>
                      ${PORT_COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}
                    </tr>
                  </thead>
                  <tbody>
                    ${listening.map((port) => portRow(port, state.gateway))}
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
                    ${LINK_COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}
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
 * Expose a port the client does not (an ephemeral port, one its filters skip, one unexposed
 * earlier): the owner API asks the session's client, and the port's row appears when it does.
 * Outside the panel, so a redraw never clears what is being typed.
 */
function exposeForm(): Html {
  return html`<form id="expose" class="expose" aria-labelledby="expose-title">
    <h2 id="expose-title">Expose a port</h2>
    <input name="port" type="number" min="1" max="65535" required placeholder="port" aria-label="Port to expose" />
    <input name="label" maxlength="64" placeholder="label (optional)" aria-label="Label for the port (optional)" />
    <button type="submit">Expose</button>
  </form>`;
}

/** Status classes the requests panel filters by (the log's `status` parameter). */
const STATUS_FILTERS = ['2xx', '3xx', '4xx', '5xx', 'error'] as const;

/**
 * The requests panel (assets/dashboard-requests.js fills it from the client's request log, live):
 * filters, the table and the detail view. Outside the panel, so a redraw never clears it.
 */
function requestsSection(): Html {
  return html`<section id="requests" aria-labelledby="requests-title">
    <h2 id="requests-title">
      Requests <span class="count" id="requests-count">0</span>
      <span id="requests-live" class="muted" role="status">connecting…</span>
    </h2>
    <form id="requests-filter" class="filters" aria-label="Filter requests">
      <label
        >Port
        <input
          name="port"
          type="number"
          min="1"
          max="65535"
          placeholder="any"
          aria-label="Show requests to this port only"
      /></label>
      <label
        >Status
        <select name="status" aria-label="Show requests of this status class only">
          <option value="">any</option>
          ${STATUS_FILTERS.map((s) => html`<option value="${s}">${s}</option>`)}
        </select></label
      >
    </form>
    <div class="scroll">
      <table class="requests">
        <thead>
          <tr>
            ${REQUEST_COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}
          </tr>
        </thead>
        <tbody id="requests-rows"></tbody>
      </table>
    </div>
    <p id="requests-empty" class="empty">
      No requests yet: open a port's URL and each request appears here as it happens.
    </p>
    <section id="request-detail" class="request-detail" aria-label="Request detail" hidden></section>
  </section>`;
}

/** The revoke confirmation, a modal dialog (keyboard: focus starts on Cancel, Escape cancels). */
function revokeDialog(): Html {
  return html`<dialog id="revoke-dialog" aria-labelledby="revoke-title" aria-describedby="revoke-text">
    <h2 id="revoke-title">Revoke this link?</h2>
    <p id="revoke-text"></p>
    <p class="actions">
      <button type="button" data-answer="cancel" autofocus>Cancel</button>
      <button type="button" data-answer="revoke" class="danger">Revoke link</button>
    </p>
  </dialog>`;
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
        <script src="/assets/dashboard-format.js" defer></script>
        <script src="/assets/dashboard.js" defer></script>
        <script src="/assets/dashboard-links.js" defer></script>
        <script src="/assets/dashboard-ports.js" defer></script>
        <script src="/assets/dashboard-request-detail.js" defer></script>
        <script src="/assets/dashboard-requests.js" defer></script>
      </head>
      <body>
        <header>
          <h1>Porthole</h1>
          <p>
            Session <code>${state.session}</code>
            <span id="live" class="muted" role="status">live updates connecting…</span>
          </p>
          ${
            state.signedInAs === undefined
              ? ''
              : html`<p id="identity">
                  Signed in as <strong>${state.signedInAs}</strong> · <a href="/auth/logout">Sign out</a>
                </p>`
          }
          <button type="button" id="signout" class="danger">Sign out everywhere</button>
        </header>
        <div id="notice" role="status" aria-live="polite"></div>
        ${exposeForm()}
        <main id="panel" aria-live="polite">${panel(state)}</main>
        ${requestsSection()} ${revokeDialog()}
      </body>
    </html>`;
}
