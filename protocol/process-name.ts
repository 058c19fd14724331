/**
 * A listening process's name as the gateway keeps and shows it (port table, owner API, dashboard,
 * WELCOME). The client reads it from the system, but the client is untrusted: a name could carry
 * terminal escapes for a tool on the owner's machine that prints `GET /ports`, text direction
 * controls, or a quarter of a megabyte per port. So it is cleaned, not refused (an honest program
 * may rename itself oddly): those characters dropped, at most MAX_PROCESS_NAME kept.
 */

/** Most characters (Unicode code points) of a process name kept. */
export const MAX_PROCESS_NAME = 64;

// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * `name` without control characters (U+0000–U+001F, U+007F–U+009F), text direction controls and
 * line separators, cut to MAX_PROCESS_NAME (64) code points; undefined when nothing is left.
 */
export function cleanProcessName(name: string): string | undefined {
  const kept = [...name.replace(UNSHOWN, '')].slice(0, MAX_PROCESS_NAME).join('');
  return kept === '' ? undefined : kept;
}
