/**
 * ATTACK (issue 17): a viewer's request path or body holding C1 controls (`\u009b` is CSI, an
 * 8-bit ESC `[`) reached the terminal of `porthole requests --json` raw: JSON.stringify escapes
 * only U+0000–U+001F. The lines print them as `\u00XX` and parse to the same value.
 */
import { describe, expect, it } from 'vitest';
import { createOutput, jsonText } from '../../../../client/cli/output';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('ATTACK: C1 controls in JSON output', () => {
  const hostile = { path: '/\u009b2J\u009d0;owned\u009c\u007f', body: 'a\u0085b\u001b[31m' };

  it('are escaped in a JSON line, which parses to the same value', () => {
    const text = jsonText(hostile);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('\\u009b2J');
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('are escaped in what --json prints', () => {
    let out = '';
    const output = createOutput('requests', true, false, { stdout: (t) => (out += t), stderr: () => {} });
    output.result({ requests: [hostile] }, '');
    expect(out.trimEnd()).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(out)).toEqual({ requests: [hostile] });
  });
});
