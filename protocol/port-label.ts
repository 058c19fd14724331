/**
 * A port's label ("Web app", "API docs"): what a person calls the port, shown next to it in the
 * live table, the dashboard and `ports --json`. Both ends and the control socket check it here.
 */

/** Most characters (Unicode code points) in a label. */
export const MAX_PORT_LABEL = 64;

/**
 * Why `value` is not a port label, or null when it is one: a string of 1 to MAX_PORT_LABEL (64)
 * characters with no control characters (U+0000–U+001F, U+007F–U+009F), no bidi controls (U+061C,
 * U+200E–U+200F, U+202A–U+202E, U+2066–U+2069: they reorder the text printed after the label, in a
 * terminal's line or a page's table) and no line or paragraph separator (U+2028, U+2029).
 */
export function portLabelProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'label must be a string';
  const length = [...value].length;
  if (length < 1 || length > MAX_PORT_LABEL) return `label must be 1 to ${MAX_PORT_LABEL} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are what this checks for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'label must not contain control characters';
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(value)) {
    return 'label must not contain text direction controls';
  }
  if (/[\u2028\u2029]/.test(value)) return 'label must not contain a line or paragraph separator';
  return null;
}

/** Whether `value` is a port label (see portLabelProblem). */
export function isPortLabel(value: unknown): value is string {
  return portLabelProblem(value) === null;
}
