/**
 * Backticked spans in messages: <code> on error pages (gateway/pages/inline-code.ts) and in the
 * dashboard's notices (assets/dashboard-format.js, run here as the browser runs it), by one table;
 * the JSON answer keeps the message as written.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors';
import { codeParts, inlineCode } from '../../../gateway/pages/inline-code';

type Parts = { code: boolean; text: string }[];
const script = readFileSync(new URL('../../../gateway/pages/assets/dashboard-format.js', import.meta.url), 'utf8');
const browser = runInNewContext(`${script}\n;({ codeParts })`) as { codeParts(text: string): Parts };

const cases: [string, Parts][] = [
  ['no code at all', [{ code: false, text: 'no code at all' }]],
  [
    'run `porthole login 8000` in the session',
    [
      { code: false, text: 'run ' },
      { code: true, text: 'porthole login 8000' },
      { code: false, text: ' in the session' },
    ],
  ],
  [
    '`a` and `b`',
    [
      { code: true, text: 'a' },
      { code: false, text: ' and ' },
      { code: true, text: 'b' },
    ],
  ],
  ['a lone ` stays', [{ code: false, text: 'a lone ` stays' }]],
  ['empty `` stays', [{ code: false, text: 'empty `` stays' }]],
  ['', []],
];

describe('backticked spans', () => {
  it.each(cases)('%j splits the same on the page and in the dashboard', (text, parts) => {
    expect(codeParts(text)).toEqual(parts);
    expect(JSON.parse(JSON.stringify(browser.codeParts(text)))).toEqual(parts);
  });

  it('become <code> with everything escaped, inside and out', () => {
    expect(String(inlineCode('a <b> `x < y & "z"` c'))).toBe('a &lt;b&gt; <code>x &lt; y &amp; &quot;z&quot;</code> c');
  });

  it('an error page shows them as <code>, the JSON keeps the message as written', async () => {
    const error = new GatewayError(401, 'preview_private', 'Run `porthole login 8000` in the session.');
    const page = await error.toResponse(new Request('http://x/', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<p>Run <code>porthole login 8000</code> in the session.</p>');
    expect(page).not.toContain('`');
    const json = (await error.toResponse(new Request('http://x/')).json()) as { message: string };
    expect(json.message).toBe('Run `porthole login 8000` in the session.');
  });

  it('problems listed on a page get the same treatment', async () => {
    const error = new GatewayError(400, 'bad', 'Two problems: a, b', { problems: ['set `A`', 'set `B`'] });
    const page = (
      await error.toResponse(new Request('http://x/', { headers: { accept: 'text/html' } })).text()
    ).replace(/>\s+</g, '><');
    expect(page).toContain('<li>set <code>A</code></li><li>set <code>B</code></li>');
  });
});
