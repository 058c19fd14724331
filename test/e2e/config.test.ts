/** A misconfigured gateway refuses everything with one answer listing every problem. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startHarness } from './harness';
import { signLabelForTest } from './sign';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MAX_STREAMS: '-1', ORIGIN_TIMEOUT: '-5' });
});
afterAll(async () => {
  await h?.stop();
});

const expected = [
  'ORIGIN_TIMEOUT is "-5": it must be a number of seconds above 0.',
  'MAX_STREAMS is "-1": it must be a whole number of 1 or more.',
];

describe('a bad MAX_STREAMS and ORIGIN_TIMEOUT', () => {
  it('answer 500 config_invalid on the control plane and on previews, listing both problems', async () => {
    const preview = `http://${signLabelForTest(h, 'aaaaaaaaaaaaaaaa', 8000)}:${h.gateway.port}/`;
    for (const target of ['/healthz', '/api/sessions', preview]) {
      const reply = await request(h.gateway, target, { method: target === '/api/sessions' ? 'POST' : 'GET' });
      expect(reply.status, target).toBe(500);
      expect(reply.headers['x-porthole-error']).toBe('config_invalid');
      const body = JSON.parse(reply.body.toString()) as { error: string; problems: string[]; message: string };
      expect(body.error).toBe('config_invalid');
      expect(body.problems).toEqual(expected);
      expect(body.message).toContain(expected[0]);
      expect(body.message).toContain(expected[1]);
    }
  });

  it('as a page for browsers, each problem an item of a list', async () => {
    const reply = await request(h.gateway, '/', { headers: { accept: 'text/html' } });
    expect(reply.status).toBe(500);
    const page = reply.body.toString();
    expect(page).toContain('<li>ORIGIN_TIMEOUT is &quot;-5&quot;: it must be a number of seconds above 0.</li>');
    expect(page).toContain('<li>MAX_STREAMS is &quot;-1&quot;: it must be a whole number of 1 or more.</li>');
  });
});
