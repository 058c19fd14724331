/**
 * The rows of the dashboard's two tables (ports, share links), rendered with hono's html helper
 * (every interpolation escaped). Each cell carries its column's caption, shown only when the
 * table folds into stacked cards at phone width (dashboard.css), so every value keeps its label.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ApiLink, ApiPort, Visibility } from '../../protocol';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Column captions, in order: the table heads and the stacked cards' labels. */
export const PORT_COLUMNS = [
  'Port',
  'Process',
  'Who may open it',
  'URL',
  'From your machine',
  'First seen',
  'Share',
] as const;
export const LINK_COLUMNS = ['Link', 'Port', 'Label', 'Expires', 'Actions'] as const;

const VISIBILITY_HELP: Record<Visibility, string> = {
  private: 'only you',
  org: 'your organisation (signed in) and holders of a share link',
  link: 'holders of a share link',
  public: 'anyone with the URL',
};

/** Link lifetimes offered, shortest first; the one marked is selected. */
const TTLS: readonly (readonly [label: string, seconds: number, selected?: true])[] = [
  ['10m', 600],
  ['1h', 3600, true],
  ['24h', 86_400],
  ['7d', 604_800],
];

const none = html`<span class="muted">—</span>`;

/** A caption for the stacked layout (hidden while the table has its head). */
const caption = (text: string): Html => html`<span class="caption">${text}</span>`;

/**
 * An instant: UTC in the page as sent (and for a viewer without script); the page's script shows
 * it in the viewer's own time zone (assets/dashboard-format.js localTime).
 */
export function time(iso: string | undefined): Html {
  if (!iso) return none;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
}

/** The port's label, when its data has one: the field comes from the client's settings or expose. */
function labelOf(port: ApiPort): string | undefined {
  const label: unknown = (port as { label?: unknown }).label;
  return typeof label === 'string' && label.trim() !== '' ? label : undefined;
}

function visibilitySelect(port: ApiPort): Html {
  return html`<select data-port="${port.port}" aria-label="Who may open port ${port.port}">
    ${(['private', 'org', 'link', 'public'] as const).map(
      (v) =>
        html`<option value="${v}" ${port.visibility === v ? raw('selected') : ''}>
          ${v} — ${VISIBILITY_HELP[v]}
        </option>`,
    )}
  </select>`;
}

function shareForm(port: ApiPort): Html {
  return html`<form class="share" data-port="${port.port}" data-visibility="${port.visibility}">
    <label
      >Link for
      <select name="ttl" aria-label="Lifetime of a new link to port ${port.port}">
        ${TTLS.map(
          ([label, seconds, selected]) =>
            html`<option value="${seconds}" ${selected ? raw('selected') : ''}>${label}</option>`,
        )}
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

/**
 * The command that reaches `port` of the session from the owner's own machine over raw TCP
 * (docs/tcp-forwarding.md), through the gateway at `gateway` (an origin, e.g.
 * `http://porthole.localhost:8787`): `porthole forward 5432 --gateway <gateway>`. It carries no
 * token: the owner gives one as PORTHOLE_OWNER_TOKEN (the ports panel says so).
 */
export function forwardCommand(port: number, gateway: string): string {
  return `porthole forward ${port} --gateway ${gateway}`;
}

/** A command, each word in a span the stylesheet keeps whole: lines break only between words. */
const command = (text: string): Html =>
  html`<code>${text.split(' ').map((word, i) => html`${i === 0 ? '' : ' '}<span>${word}</span>`)}</code>`;

/**
 * A port's row. `gateway` is the control origin the dashboard is served from, for the forward
 * command (the panel is redrawn by the server too, so every row has it).
 */
export function portRow(port: ApiPort, gateway: string): Html {
  const label = labelOf(port);
  const [p, process, who, url, forward, seen, share] = PORT_COLUMNS;
  const forwarding = forwardCommand(port.port, gateway);
  return html`<tr data-port-row="${port.port}">
    <th scope="row">
      ${caption(p)}${port.port} ${label === undefined ? '' : html`<span class="port-label">${label}</span>`}
    </th>
    <td>${caption(process)}${port.process ?? none}</td>
    <td>
      ${caption(who)} ${visibilitySelect(port)}
      ${
        port.listening
          ? ''
          : html`<p class="hint" data-not-listening="${port.port}">
              Nothing listens on port ${port.port} right now: this applies when something starts listening on it.
            </p>`
      }
    </td>
    <td class="url">
      ${caption(url)}
      <a href="${port.url}" target="_blank" rel="noopener noreferrer">${port.url}</a>
      <button type="button" data-copy="${port.url}" aria-label="Copy the URL of port ${port.port}">Copy</button>
      <button type="button" data-unexpose="${port.port}" aria-label="Unexpose port ${port.port}">Unexpose</button>
    </td>
    <td class="forward">
      ${caption(forward)}${command(forwarding)}
      <button type="button" data-copy="${forwarding}" aria-label="Copy the forward command of port ${port.port}">
        Copy
      </button>
    </td>
    <td>${caption(seen)}${time(port.firstSeen)}</td>
    <td>${caption(share)}${shareForm(port)}</td>
  </tr>`;
}

export function linkRow(link: ApiLink): Html {
  const [, port, label, expires, actions] = LINK_COLUMNS;
  return html`<tr data-link-row="${link.id}">
    <th scope="row">${caption(LINK_COLUMNS[0])}<code>${link.id}</code></th>
    <td>${caption(port)}${link.port}</td>
    <td>${caption(label)}${link.label ?? none}</td>
    <td>${caption(expires)}${time(link.expiresAt)}</td>
    <td class="url">
      ${caption(actions)}
      <button type="button" data-copy="${link.url}" aria-label="Copy link ${link.id}">Copy link</button>
      <button
        type="button"
        class="danger"
        data-revoke="${link.id}"
        data-revoke-port="${link.port}"
        aria-label="Revoke link ${link.id}"
      >
        Revoke
      </button>
    </td>
  </tr>`;
}
