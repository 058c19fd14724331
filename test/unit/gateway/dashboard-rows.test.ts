/** The dashboard's port rows: a port's label, read defensively (the field comes from the client's data). */
import { describe, expect, it } from 'vitest';
import { forwardCommand, portRow } from '../../../gateway/pages/dashboard-rows';
import type { ApiPort } from '../../../protocol';

const base: ApiPort = { port: 8000, url: 'http://8000-x.s.localhost/', visibility: 'private', listening: true };
const GATEWAY = 'http://porthole.localhost:8787';
const render = async (port: object) => String(await portRow(port as ApiPort, GATEWAY));

describe('a port row', () => {
  it('shows the label under the port number, escaped', async () => {
    expect(await render({ ...base, label: 'API <v2>' })).toContain('<span class="port-label">API &lt;v2&gt;</span>');
  });

  it('shows no label when there is none, or when the field is not a string or blank', async () => {
    for (const label of [undefined, 42, null, { x: 1 }, '  ']) {
      expect(await render({ ...base, label })).not.toContain('port-label');
    }
  });

  it('gives every cell its column caption for the stacked layout', async () => {
    const captions = [...(await render(base)).matchAll(/<span class="caption">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(captions).toEqual(['Port', 'Process', 'Who may open it', 'URL', 'From your machine', 'First seen', 'Share']);
  });

  it('shows the forward command for the gateway it is served from, with a Copy button carrying the same text', async () => {
    const row = await render({ ...base, port: 5432 });
    const command = 'porthole forward 5432 --gateway http://porthole.localhost:8787';
    const code = /<code>(.*?)<\/code>/s.exec(row)?.[1] ?? '';
    expect(code.replace(/<[^>]*>/g, '')).toBe(command);
    expect(code).toContain('<span>--gateway</span>'); // Never broken inside a word.
    expect(row).toContain(`data-copy="${command}" aria-label="Copy the forward command of port 5432"`);
  });
});

describe('forwardCommand', () => {
  it('names the port and the gateway, and no token', () => {
    expect(forwardCommand(6379, 'https://porthole.example.com')).toBe(
      'porthole forward 6379 --gateway https://porthole.example.com',
    );
  });
});
