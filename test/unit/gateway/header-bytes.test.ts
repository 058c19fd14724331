import { describe, expect, it } from 'vitest';
import { fromByteString, toByteString } from '../../../gateway/session/header-bytes';

/** The byte string Node gives for `text` sent as UTF-8. */
const bytes = (text: string) => Buffer.from(text).toString('latin1');

describe('header bytes across the tunnel', () => {
  it('turns text into the byte string of its UTF-8 bytes, and back', () => {
    for (const text of ['plain ascii', 'attachment; filename="résumé.pdf"', '€5', '🚀 déploiement ✓']) {
      expect(toByteString(text)).toBe(bytes(text));
      expect(fromByteString(bytes(text))).toBe(text);
    }
  });

  it('gives null for bytes that are not UTF-8 and for a string that is not a byte string', () => {
    expect(fromByteString('caf\xe9')).toBeNull();
    expect(fromByteString('\xc3')).toBeNull();
    expect(fromByteString('€')).toBeNull();
  });
});
