/**
 * The request log as a terminal shows it (porthole requests, porthole replay): one line per
 * request, like ngrok's inspector, and a request in full. Everything in a request came from a
 * viewer or an app, so control characters are shown escaped (`\x1b`), never sent to the
 * terminal, where they could move the cursor or rewrite what is shown.
 */
import type { LoggedBody, LoggedHeaders, RequestRecord, RequestSummary } from '../requests/record';

/** C0 and C1 controls and DEL; `keepLines` keeps tab and LF (a body's layout). */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with every control character written as `\xNN`, safe to print on a terminal. */
export function terminalSafe(text: string, keepLines = false): string {
  return text.replace(
    keepLines ? CONTROLS_BUT_LINES : CONTROLS,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** Characters of a path shown in a list line; the rest is cut with `…`. */
const PATH_WIDTH = 48;
/** The viewer column: `link:` and a link id (13 base32 characters), or `replay#99999`. */
const VIEWER_WIDTH = 18;

function clock(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function viewer(summary: RequestSummary): string {
  const v = summary.viewer;
  if (v.kind === 'replay') return summary.replayOf === undefined ? 'replay' : `replay#${summary.replayOf}`;
  if (v.kind === 'link') return `link:${v.link}`;
  return v.kind;
}

/** `1234 B`, `12.3 KiB`, `4.5 MiB`. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** What came back: the status, Porthole's error code, a WebSocket's messages, or `…` while in flight. */
function outcome(summary: RequestSummary): string {
  const parts: string[] = [summary.status === null ? '…' : String(summary.status)];
  if (summary.error) parts.push(summary.error.code);
  if (summary.websocket) {
    const ws = summary.websocket;
    parts.push(`ws ${ws.messagesIn}↑ ${ws.messagesOut}↓${ws.closeCode === undefined ? '' : ` closed ${ws.closeCode}`}`);
  }
  return parts.join(' ');
}

function timing(summary: RequestSummary): string {
  const ms = (value: number | null) => (value === null ? '-' : String(Math.round(value)));
  return `${ms(summary.headMs)}/${ms(summary.totalMs)} ms`;
}

/** The column heads of summaryLine. */
export const SUMMARY_HEADER = `${'TIME'.padEnd(8)}  ${'ID'.padStart(6)}  ${'VIEWER'.padEnd(VIEWER_WIDTH)}  ${'METHOD'.padEnd(7)}  ${'PATH'.padEnd(PATH_WIDTH)}  ${'STATUS'.padEnd(22)}  ${'HEAD/TOTAL'.padEnd(14)}  IN → OUT`;

/** One request on one line, in fixed columns (a follow prints lines as they come). */
export function summaryLine(summary: RequestSummary): string {
  let path = terminalSafe(summary.path);
  if (path.length > PATH_WIDTH) path = `${path.slice(0, PATH_WIDTH - 1)}…`;
  return [
    clock(summary.time).padEnd(8),
    `#${summary.id}`.padStart(6),
    terminalSafe(viewer(summary)).padEnd(VIEWER_WIDTH),
    terminalSafe(summary.method).padEnd(7),
    path.padEnd(PATH_WIDTH),
    outcome(summary).padEnd(22),
    timing(summary).padEnd(14),
    `${size(summary.bytesIn)} → ${size(summary.bytesOut)}`,
  ].join('  ');
}

function headerLines(headers: LoggedHeaders): string[] {
  if (headers.length === 0) return ['  (none)'];
  return headers.map(([name, value]) => `  ${terminalSafe(name)}: ${terminalSafe(value)}`);
}

/** A body: text as text (its first `excerpt` characters), anything else as its size and SHA-256. */
export function bodyLines(what: string, body: LoggedBody | undefined, excerpt = Number.POSITIVE_INFINITY): string[] {
  if (!body) return [`${what}: none`];
  const kept = body.truncated ? `, the first ${size(body.captured)} kept` : '';
  if (body.text === undefined) {
    return [
      `${what}: ${size(body.bytes)}, binary${kept}, sha256 ${body.sha256}${body.truncated ? ' (of the kept bytes)' : ''}`,
    ];
  }
  const cut = body.text.length > excerpt;
  const text = cut ? body.text.slice(0, excerpt) : body.text;
  const shown = cut ? `, the first ${excerpt} characters shown` : '';
  return [
    `${what} (${size(body.bytes)}, text${kept}${shown}):`,
    ...terminalSafe(text, true)
      .split('\n')
      .map((line) => `  ${line}`),
  ];
}

/** A request in full: what it was, its headers and bodies (each response-body text cut at `excerpt` characters). */
export function recordLines(record: RequestRecord, excerpt?: number): string[] {
  const where = `${viewer(record)}, port ${record.port}, ${clock(record.time)}, ${timing(record)}`;
  const lines = [
    `#${record.id}  ${terminalSafe(record.method)} ${terminalSafe(record.path)}  → ${outcome(record)}  (${where})`,
  ];
  if (record.error) lines.push(`Porthole: ${record.error.code}: ${terminalSafe(record.error.message)}`);
  lines.push(`Host: ${terminalSafe(record.host)}`, '', 'Request headers:', ...headerLines(record.request.headers));
  lines.push(...bodyLines('Request body', record.request.body), '');
  if (!record.response) {
    lines.push('Response: none (no response head came)');
    return lines;
  }
  lines.push('Response headers:', ...headerLines(record.response.headers));
  lines.push(...bodyLines('Response body', record.response.body, excerpt));
  return lines;
}
