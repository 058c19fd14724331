/**
 * Share controls from the command line, through the running client (which
 * holds the session's credentials): share, link, links, revoke, login, token.
 */
import { callJson } from '../control/client';
import {
  type ApiDashboardLink,
  type ApiLink,
  type ApiLogin,
  type ApiOwnerToken,
  type ApiPort,
  isVisibility,
  LINK_TTL,
  LOGIN_TTL,
  OWNER_TTL,
} from '../../protocol';
import { DASHBOARD_HELP, LINK_HELP, LINKS_HELP, LOGIN_HELP, REVOKE_HELP, SHARE_HELP, TOKEN_HELP } from './help';
import { clientCommand } from './command';
import { seconds, secondsBounds } from './duration';
import { check, parsePort, UsageError } from './options';

const json = { json: { type: 'boolean' } } as const;
const withTtl = { ...json, ttl: { type: 'string' } } as const;

/** The gateway's bounds, checked here first so that a mistake is a usage error in the user's units. */
const LINK_BOUNDS = secondsBounds(LINK_TTL, 'a reviewer link may live');
const LOGIN_BOUNDS = secondsBounds(LOGIN_TTL, 'a one-time link may wait to be opened');
const OWNER_BOUNDS = secondsBounds(OWNER_TTL, 'an owner token may live');

function onePort(positionals: string[], usage: string, problems: string[]): number {
  if (positionals.length < 1) throw new UsageError(`give a port: ${usage}`);
  return parsePort(positionals[0] as string, 'port', problems);
}

/** The link as `--json` prints it: id, url, port, expiresAt (and label, when it has one). */
function linkJson(link: ApiLink): Pick<ApiLink, 'id' | 'url' | 'port' | 'expiresAt' | 'label'> {
  const { id, url, port, expiresAt, label } = link;
  return { id, url, port, expiresAt, ...(label ? { label } : {}) };
}

function until(iso: string): string {
  const ms = Date.parse(iso) - Date.now();
  if (ms <= 0) return 'expired';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}

/** What `porthole share` warns (exit 0) when nothing listens on `port` right now. */
function notListeningWarning(port: number, visibility: string): string {
  return (
    `nothing listens on port ${port} right now; ` +
    `it becomes ${visibility} once a server starts on it (check the port number: porthole ports)`
  );
}

export const share = clientCommand(SHARE_HELP, json, async ({ positionals }, path, out) => {
  const problems: string[] = [];
  const port = onePort(positionals, 'porthole share <port> private|org|link|public', problems);
  const visibility = positionals[1];
  if (positionals.length !== 2 || !isVisibility(visibility)) {
    throw new UsageError('give a port and who may open it: porthole share <port> private|org|link|public');
  }
  check(problems);
  const result = await callJson<ApiPort>(path, 'PATCH', `/v1/ports/${port}`, { visibility });
  // Setting it is not wrong (the setting waits for a server), but a typo'd port looks just like this.
  if (!result.listening) out.warn(notListeningWarning(port, result.visibility));
  const who = {
    private: "only you (porthole login, or signed in as the session's owner)",
    org: 'your organisation (signed in at the gateway) and holders of a share link',
    link: 'holders of a share link (porthole link)',
    public: 'anyone with the URL',
  }[result.visibility];
  out.result(result, `port ${result.port} is ${result.visibility}: ${who} can open ${result.url}`);
  return 0;
});

export const link = clientCommand(LINK_HELP, { ...withTtl, label: { type: 'string' } }, async (parsed, path, out) => {
  const { values, positionals } = parsed;
  const problems: string[] = [];
  const port = onePort(positionals, 'porthole link <port> [--ttl 24h] [--label text]', problems);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const ttl = seconds(values.ttl, '--ttl', problems, LINK_BOUNDS);
  check(problems);
  const created = await callJson<ApiLink>(path, 'POST', '/v1/links', { port, ttl, label: values.label });
  const ports = await callJson<{ port: number; visibility: string }[]>(path, 'GET', '/v1/ports');
  const visibility = ports.find((p) => p.port === port)?.visibility;
  if (visibility === 'private' || visibility === undefined) {
    out.warn(
      `port ${port} is ${visibility ?? 'private (not listening yet)'}: ` +
        `the link opens it once you run 'porthole share ${port} link'`,
    );
  }
  out.result(linkJson(created), created.url);
  return 0;
});

export const links = clientCommand(LINKS_HELP, json, async ({ positionals }, path, out) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const list = await callJson<ApiLink[]>(path, 'GET', '/v1/links');
  if (out.json || list.length === 0) {
    out.result(list.map(linkJson), 'no live links (create one with porthole link <port>)');
    return 0;
  }
  const rows = list.map((l) => [l.id, String(l.port), until(l.expiresAt), l.label ?? '-', l.url]);
  const header = ['ID', 'PORT', 'EXPIRES', 'LABEL', 'URL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const lines = [header, ...rows].map((cols) =>
    cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] as number))).join('  '),
  );
  out.result(list, lines.join('\n'));
  return 0;
});

export const revoke = clientCommand(REVOKE_HELP, json, async ({ positionals }, path, out) => {
  if (positionals.length !== 1) throw new UsageError('give one link id: porthole revoke <id> (see porthole links)');
  const id = positionals[0] as string;
  const revoked = await callJson<ApiLink>(path, 'DELETE', `/v1/links/${id}`);
  out.result(linkJson(revoked), `revoked link ${revoked.id} (port ${revoked.port})`);
  return 0;
});

export const login = clientCommand(LOGIN_HELP, withTtl, async ({ values, positionals }, path, out) => {
  const problems: string[] = [];
  const port = onePort(positionals, 'porthole login <port> [--ttl 10m]', problems);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const ttl = seconds(values.ttl, '--ttl', problems, LOGIN_BOUNDS);
  check(problems);
  const result = await callJson<ApiLogin>(path, 'POST', '/v1/login', { port, ttl });
  out.result(result, result.url);
  return 0;
});

export const token = clientCommand(TOKEN_HELP, withTtl, async ({ values, positionals }, path, out) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const problems: string[] = [];
  const ttl = seconds(values.ttl, '--ttl', problems, OWNER_BOUNDS);
  check(problems);
  const result = await callJson<ApiOwnerToken>(path, 'POST', '/v1/token', { ttl });
  out.result(result, result.token);
  return 0;
});

export const dashboard = clientCommand(DASHBOARD_HELP, withTtl, async ({ values, positionals }, path, out) => {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const problems: string[] = [];
  const ttl = seconds(values.ttl, '--ttl', problems, LOGIN_BOUNDS);
  check(problems);
  const link = await callJson<ApiDashboardLink>(path, 'POST', '/v1/dashboard', { ttl });
  out.result({ url: link.url }, link.url);
  return 0;
});
