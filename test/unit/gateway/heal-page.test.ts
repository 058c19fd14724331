/**
 * The HTML of waiting answers heals (gateway/pages/heal.ts): a GET gets the "Waiting for …" line
 * and one inline script whose nonce the page's CSP allows; JSON, other methods and answers that
 * wait for nothing are unchanged. Every HTML error page carries the same locked-down CSP.
 */
import { describe, expect, it } from 'vitest';
import { ResetCode, StreamResetError } from '../../../protocol';
import {
  GatewayError,
  notFound,
  notListening,
  sessionOffline,
  streamFailure,
  tooManyStreams,
  tooManyViewerStreams,
} from '../../../gateway/errors';

const html = { accept: 'text/html,*/*' };
const get = new Request('http://x.localhost/', { headers: html });

function csp(reply: Response): Map<string, string> {
  const policy = reply.headers.get('content-security-policy') ?? '';
  return new Map(
    policy.split(';').map(
      (d) =>
        d
          .trim()
          .split(/\s+(.*)/s)
          .slice(0, 2) as [string, string],
    ),
  );
}

describe('pages that heal', () => {
  it('a waiting answer to a GET says what it waits for and carries one script, allowed by its nonce', async () => {
    const reply = notListening(3000).toResponse(get);
    const page = await reply.text();
    expect(page).toContain('Waiting for port 3000… this page reloads by itself.');
    expect(page).toContain('data-code="port_not_listening" data-retry-after="2"');
    const scripts = [...page.matchAll(/<script nonce="([^"]+)">/g)];
    expect(scripts).toHaveLength(1);
    const nonce = scripts[0]?.[1] as string;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const policy = csp(reply);
    expect(policy.get('script-src')).toBe(`'nonce-${nonce}'`);
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    // The script re-checks with HEAD only, never re-sending the request.
    expect(page).toContain("method: 'HEAD'");
    // A fresh nonce per answer.
    const again = await notListening(3000).toResponse(get).text();
    expect(again.match(/<script nonce="([^"]+)">/)?.[1]).not.toBe(nonce);
  });

  it('the session offline, a full session and a viewer at its limit heal too, each saying what it waits for', async () => {
    expect(await sessionOffline().toResponse(get).text()).toContain('Waiting for the session…');
    expect(await tooManyStreams(8).toResponse(get).text()).toContain('Waiting for a free stream…');
    const refused = new StreamResetError(ResetCode.REFUSED, 'connection refused', true);
    expect(await streamFailure(refused, 3000, 60).toResponse(get).text()).toContain('Waiting for port 3000…');
    const lost = new StreamResetError(ResetCode.TUNNEL_CLOSED, 'tunnel closed', true);
    expect(await streamFailure(lost, 3000, 60).toResponse(get).text()).toContain('Waiting for the session…');
    expect(await tooManyViewerStreams(4).toResponse(get).text()).toContain(
      'Waiting for one of your requests to finish…',
    );
  });

  it('no script for another method (a form must not be sent again), for JSON, or for an answer that waits for nothing', async () => {
    for (const method of ['POST', 'PUT', 'HEAD', 'OPTIONS']) {
      const reply = notListening(3000).toResponse(new Request('http://x.localhost/', { method, headers: html }));
      expect(reply.headers.get('content-security-policy'), method).not.toContain('script-src');
      if (method !== 'HEAD') expect(await reply.text(), method).not.toContain('<script');
    }
    const json = notListening(3000).toResponse(new Request('http://x.localhost/'));
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('content-security-policy')).toBeNull();
    expect(await json.json()).toEqual({
      error: 'port_not_listening',
      status: 503,
      message:
        "Port 3000 is not exposed by this session right now: nothing listens on it, or the session's client leaves it out. " +
        "Start its server, or run 'porthole expose 3000' in the session, and reload.",
    });
    // A refusal or a 404 waits for nothing; a waiting error without Retry-After neither.
    const unchanged = [notFound(), new GatewayError(503, 'x', 'y', { waitingFor: 'z' })];
    for (const error of unchanged) {
      const reply = error.toResponse(get);
      expect(await reply.text()).not.toContain('<script');
      expect(reply.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      );
    }
  });
});
