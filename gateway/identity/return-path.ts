/**
 * Where `/auth/login?return=…` sends the browser once signed in: a path on the control plane,
 * never another site (an open redirect would let any page bounce a signed-in browser onward). Pure.
 */

/** Longest `return` accepted, in characters. */
export const MAX_RETURN_LENGTH = 2048;
/** Where a sign-in without `return` ends: the "who is signed in" page. */
export const DEFAULT_RETURN = '/auth';

/**
 * `raw` (the query's `return`, null when absent) → the path to go back to, or null when it is not
 * one: it must start with exactly one `/`, hold no `\`, no `//`, no control characters or spaces,
 * and be at most MAX_RETURN_LENGTH characters. Absent or empty → DEFAULT_RETURN.
 */
export function returnPath(raw: string | null): string | null {
  if (raw === null || raw === '') return DEFAULT_RETURN;
  if (raw.length > MAX_RETURN_LENGTH) return null;
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith('/') || raw.includes('//') || raw.includes('\\') || /[\u0000-\u0020\u007f]/.test(raw)) {
    return null;
  }
  // A second check by the URL parser: resolved against a placeholder origin, it must stay on it.
  const base = 'http://control.invalid';
  let resolved: URL;
  try {
    resolved = new URL(raw, base);
  } catch {
    return null;
  }
  return resolved.origin === base ? raw : null;
}
