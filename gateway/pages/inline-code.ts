/**
 * Messages mark a command to type the way Markdown does, in backticks ("run `porthole dashboard`").
 * The JSON answer keeps the text as written (docs/errors.md says why); the HTML page shows each
 * backticked span as <code> with the backticks dropped, and escapes everything else.
 * The dashboard's script has the same rule for the notices it shows (assets/dashboard-format.js).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** One backticked span: no backtick or line break inside, at least one character. */
const SPAN = /`([^`\n]+)`/g;

/**
 * `text` split into plain and code parts, in order: `[{code: false, text: 'run '}, {code: true,
 * text: 'porthole dashboard'}]`. A backtick without its pair stays in the plain text.
 */
export function codeParts(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let at = 0;
  for (const match of text.matchAll(SPAN)) {
    if (match.index > at) parts.push({ code: false, text: text.slice(at, match.index) });
    parts.push({ code: true, text: match[1] as string });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ code: false, text: text.slice(at) });
  return parts;
}

/** `text` as escaped HTML, each backticked span a <code> element. */
export function inlineCode(text: string): HtmlEscapedString {
  const parts = codeParts(text).map((p) => (p.code ? html`<code>${p.text}</code>` : html`${p.text}`));
  // Only strings are interpolated, so hono renders synchronously.
  return html`${parts}` as HtmlEscapedString;
}
