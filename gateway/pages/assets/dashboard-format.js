// @ts-check
/**
 * Pure helpers of the dashboard's script, loaded before it (a classic script: its functions are
 * globals of the page). The unit tests run this very file (test/unit/gateway/dashboard-format.test.ts).
 */
/* exported localTime, codeParts, formatBytes, viewerText, statusText, rowTime */
'use strict';

/**
 * An instant as the viewer reads it: date and time in the viewer's own time zone, with the zone
 * named, e.g. `1 Dec 2026, 14:30 GMT+9` (the words and order are the locale's).
 * @param {string} iso an ISO 8601 instant, e.g. `2026-12-01T05:30:00.000Z`
 * @param {{ locale?: string, timeZone?: string }} [options] default: the browser's locale and zone
 * @returns {string} the text; `iso` itself when it is not a date
 */
function localTime(iso, options = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(date);
}

/**
 * A message split into plain and code parts: a span in backticks is code (the gateway's messages
 * mark commands that way; gateway/pages/inline-code.ts has the same rule for error pages). A
 * backtick without its pair stays plain text.
 * @param {string} text
 * @returns {{ code: boolean, text: string }[]}
 */
function codeParts(text) {
  /** @type {{ code: boolean, text: string }[]} */
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const index = match.index ?? 0;
    if (index > at) parts.push({ code: false, text: text.slice(at, index) });
    parts.push({ code: true, text: match[1] ?? '' });
    at = index + match[0].length;
  }
  if (at < text.length) parts.push({ code: false, text: text.slice(at) });
  return parts;
}

/**
 * A byte count as people read it: `512 B`, `1.5 KiB`, `12 MiB` (binary units, one decimal under 10).
 * @param {number} bytes
 * @returns {string}
 */
function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Number.isFinite(bytes) ? bytes : 0} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/**
 * Who sent a logged request: `owner`, `link <label>` (or `link <id>` when its label is not known),
 * `public`, `preflight`, `replay`.
 * @param {{ kind: string, link?: string }} viewer
 * @param {string} [label] the link's label, when the page knows it
 * @returns {string}
 */
function viewerText(viewer, label) {
  if (viewer.kind === 'link') return `link ${label ?? viewer.link ?? ''}`.trim();
  return String(viewer.kind);
}

/**
 * A logged request's outcome: Porthole's error code when it answered instead of the app (or the
 * stream ended early), else the status, else `…` while no head came.
 * @param {{ status: number | null, error?: { code: string } }} summary
 * @returns {string}
 */
function statusText(summary) {
  if (summary.error) return summary.status === null ? summary.error.code : `${summary.status} ${summary.error.code}`;
  return summary.status === null ? '…' : String(summary.status);
}

/**
 * A logged request's time in the viewer's zone, to the second (`14:30:05`), or `iso` itself when it is not a date.
 * @param {string} iso
 * @param {{ locale?: string, timeZone?: string }} [options]
 * @returns {string}
 */
function rowTime(iso, options = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(date);
}
