/** Attacks on header bytes (issue 14 kind 5) at the gateway's response side: what held. */
import { describe, expect, it } from 'vitest';
import { portCookieNames, readCookies } from '../../../gateway/access/cookies';
import { responseHeaders } from '../../../gateway/session/headers';

const HOST = '8000-x-y.porthole.localhost';
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('UTF-8 never smuggles a reserved cookie, a foreign Domain or a Porthole header', () => {
  it('reserved cookie names stay refused in any case and with UTF-8 around them', () => {
    for (const value of ['PORTHOLE_session=x', ' porthole_session=x', '__HOST-porthole=x', `=porthole_session=x`]) {
      expect(responseHeaders([['set-cookie', value]], HOST).getSetCookie(), value).toEqual([]);
    }
  });

  it('a Domain of the parent or a look-alike (fullwidth, ideographic dot) is refused', () => {
    for (const domain of [
      'porthole.localhost',
      bytes('ｐorthole.localhost'),
      bytes(`8000-x-y.porthole.localhost\u3002`),
    ]) {
      const value = `a=1; Domain=${domain}`;
      expect(responseHeaders([['set-cookie', value]], HOST).getSetCookie(), domain).toEqual([]);
    }
  });

  it('X-Porthole-* in any case is dropped; values with CR/LF/NUL or chars over 0xFF are dropped, never sent', () => {
    const headers = responseHeaders(
      [
        ['X-PORTHOLE-ERROR', 'forged'],
        ['x-a', 'a\r\nx-porthole-error: forged'],
        ['x-b', 'a\0b'],
        ['x-c', 'a\u0100b'],
        ['x-d', bytes('ok é')],
      ],
      HOST,
    );
    expect([...headers.keys()]).toEqual(['x-d']);
    expect(headers.get('x-d')).toBe('ok é');
  });
});

/**
 * FINDING (low): setCookieAllowed checks the origin's Set-Cookie as a byte string, where JS trim()
 * does not see UTF-8 whitespace (`C2 A0` NBSP, `EF BB BF` BOM, `E3 80 80`…), so a name such as
 * NBSP+`porthole` (or NBSP+`__Host-porthole`) passes; the runtime sends it as UTF-8, the browser keeps it
 * (it strips only SP/HTAB, and no `__Host-` rules apply to it), and sends it back; the gateway
 * decodes it to text and cookiePairs' trim() strips the NBSP: readCookies takes it as Porthole's own
 * port cookie. An origin thus sets a value the gateway reads as its credential, which the header
 * rule says it may not (a page's JS can plant copies anyway, so every copy is tried: low).
 * Fix: decode (fromByteString) before setCookieAllowed, and trim only SP/HTAB when reading names
 * (`replace(/^[ \t]+|[ \t]+$/g, '')`), the same on both sides.
 */
describe('a reserved name behind UTF-8 whitespace', () => {
  for (const space of ['\u00a0', '\ufeff', '\u3000']) {
    it(`${JSON.stringify(space)}porthole: the gateway would read it as its own, so the origin may not set it`, () => {
      const planted = `${space}porthole`;
      // How the gateway reads it back, shown for NBSP (Node's Request, unlike workerd, takes no header
      // character over 0xFF, so a BOM or U+3000 cannot be put in one here).
      if (space === '\u00a0') {
        const read = readCookies(
          new Request('http://h/', { headers: { cookie: `${planted}=v` } }),
          portCookieNames('http'),
        );
        expect(read.values).toEqual(['v']);
      }
      expect(responseHeaders([['set-cookie', bytes(`${planted}=v`)]], HOST).getSetCookie()).toEqual([]);
    });
  }
});
