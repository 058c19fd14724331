import { describe, expect, it, vi } from 'vitest';
import { errorResponse, GatewayError } from '../../../gateway/errors';
import { ConfigError } from '../../../gateway/errors';

const browser = new Request('http://x.localhost/', { headers: { accept: 'text/html,*/*' } });
const tool = new Request('http://x.localhost/');

describe('error answers', () => {
  it('JSON {error, status, message} for tools, with the error’s headers, no-store and X-Porthole-Error', async () => {
    const reply = new GatewayError(503, 'session_offline', 'Offline.', { headers: { 'retry-after': '5' } }).toResponse(
      tool,
    );
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.headers.get('retry-after')).toBe('5');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('x-porthole-error')).toBe('session_offline');
    expect(await reply.json()).toEqual({ error: 'session_offline', status: 503, message: 'Offline.' });
  });

  it('an HTML page for browsers, every interpolation escaped', async () => {
    const reply = new GatewayError(404, 'not_found', '<script>alert("x")</script> & more').toResponse(browser);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await reply.text();
    expect(page).toContain('<title>404 Not found · Porthole</title>');
    expect(page).toContain('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</p>');
    expect(page).not.toContain('<script>');
  });

  it('problems as a JSON array and an HTML list', async () => {
    const error = new ConfigError(['A is bad.', 'B <is> bad.']);
    expect(((await error.toResponse(tool).json()) as { problems: string[] }).problems).toEqual([
      'A is bad.',
      'B <is> bad.',
    ]);
    const page = (await error.toResponse(browser).text()).replace(/>\s+</g, '><');
    expect(page).toContain(
      '<p>The gateway is misconfigured (2 problems):</p><ul><li>A is bad.</li><li>B &lt;is&gt; bad.</li></ul>',
    );
  });

  it('anything thrown that is not a GatewayError is a 500 internal, logged with the thrown value as its cause', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const boom = new TypeError('boom');
    const reply = errorResponse(boom, tool);
    expect(reply.status).toBe(500);
    expect(((await reply.json()) as { error: string }).error).toBe('internal');
    expect(log).toHaveBeenCalledWith('porthole: 500 internal: The gateway failed to handle this request.', boom);
    log.mockRestore();
  });

  it('a 502 is logged on one line with the reset behind it; an expected answer (503) is not logged', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reset = new Error('stream reset: REFUSED');
    new GatewayError(502, 'origin_unreachable', 'Nothing answered.', { cause: reset }).toResponse(tool);
    new GatewayError(503, 'session_offline', 'Offline.').toResponse(tool);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      'porthole: 502 origin_unreachable: Nothing answered. (Error: stream reset: REFUSED)',
    );
    warn.mockRestore();
  });

  it('a GatewayError keeps its cause (for the log line of a 502)', () => {
    const reset = new Error('stream reset: REFUSED');
    expect(new GatewayError(502, 'origin_unreachable', 'x', { cause: reset }).cause).toBe(reset);
  });
});
