/**
 * ATTACK (issue 16): port labels come from an untrusted client (HELLO, PORTS) and from the owner API,
 * and are printed in terminals (the live table, `porthole ports`) and pages. Characters that reorder
 * or break the text around them (bidi controls, line and paragraph separators) are refused, as
 * control characters are; ordinary Unicode (accents, CJK, emoji sequences with ZWJ) is kept.
 */
import { describe, expect, it } from 'vitest';
import { portLabelProblem } from '../../protocol';
import { expose, hello } from '../../protocol/validate';

const SPOOFS: Record<string, string> = {
  'right-to-left override': 'api\u202Egpj.exe',
  'left-to-right override': 'a\u202Db',
  'right-to-left embedding': 'a\u202Bb',
  'pop directional formatting': 'a\u202Cb',
  'right-to-left isolate': 'a\u2067b',
  'first strong isolate': 'a\u2068b',
  'pop directional isolate': 'a\u2069b',
  'right-to-left mark': 'a\u200Fb',
  'arabic letter mark': 'a\u061Cb',
  'line separator': 'first\u2028second',
  'paragraph separator': 'first\u2029second',
};

describe('ATTACK: port labels that reorder or break the text around them', () => {
  for (const [name, label] of Object.entries(SPOOFS)) {
    it(`refuses a ${name}, at the gateway (HELLO), the owner API's check and EXPOSE`, () => {
      expect(portLabelProblem(label)).toMatch(/control|direction|separator/);
      expect(() => hello({ ports: [{ port: 3000, label }] })).toThrow();
      expect(() => expose({ port: 3000, label })).toThrow();
    });
  }

  it('keeps ordinary Unicode: accents, CJK, right-to-left letters, emoji sequences', () => {
    for (const label of ['Café API', '管理画面', 'שלום', '👩‍💻 dev', 'docs — v2']) {
      expect(portLabelProblem(label), label).toBeNull();
    }
  });
});
