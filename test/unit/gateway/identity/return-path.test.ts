/** Where a sign-in returns (gateway/identity/return-path.ts): paths on the control plane only. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN, MAX_RETURN_LENGTH, returnPath } from '../../../../gateway/identity/return-path';

describe('returnPath', () => {
  it('defaults to /auth when absent or empty', () => {
    expect(returnPath(null)).toBe(DEFAULT_RETURN);
    expect(returnPath('')).toBe(DEFAULT_RETURN);
  });

  it('keeps a path with its query and fragment', () => {
    for (const path of ['/', '/s/abc', '/s/abc/open?port=3000&path=%2Fx%3Fy', '/auth#top', `/${'a'.repeat(MAX_RETURN_LENGTH - 1)}`]) {
      expect(returnPath(path)).toBe(path);
    }
  });

  it('refuses anything that could leave the control plane or is not a plain path', () => {
    for (const raw of [
      '//evil.test',
      '///evil.test',
      '/\\evil.test',
      '\\/evil.test',
      'https://evil.test/',
      'evil.test',
      'javascript:alert(1)',
      '/a//b',
      '/ok\r\nLocation: x',
      '/tab\there',
      '/sp ace',
      '/\u0000',
      `/${'a'.repeat(MAX_RETURN_LENGTH)}`,
    ]) {
      expect(returnPath(raw), raw).toBeNull();
    }
  });
});
