// @ts-check
/**
 * Pure helpers of the dashboard's script, loaded before it (a classic script: its functions are
 * globals of the page). The unit tests run this very file (test/unit/gateway/dashboard-format.test.ts).
 */
/* exported localTime, codeParts */
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
