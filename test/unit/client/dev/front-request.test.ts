import { describe, expect, it } from 'vitest';
import { clientAddress, forwardRequest, FrontRefusal, responseHeaders } from '../../../../client/dev/front-request';

const head = (url: string, ...rawHeaders: string[]) => ({ url, rawHeaders });

describe('forwardRequest', () => {
  it('an origin-form target becomes an absolute URL on the scheme the front serves', () => {
    const forward = forwardRequest(head('/a%2Fb/../c?x=1', 'Host', '8000-x.s.localhost:8787'), 'https', '127.0.0.1');
    expect(forward.target).toBe('https://8000-x.s.localhost:8787/a%2Fb/../c?x=1');
    expect(forward.headers.slice(0, 2)).toEqual(['Host', '8000-x.s.localhost:8787']);
  });

  it('an absolute-form target names the authority (RFC 9112 3.2.2); its scheme is not trusted', () => {
    const forward = forwardRequest(head('https://a.localhost:1/p?q', 'Host', 'A.localhost:1'), 'http', '127.0.0.1');
    expect(forward.target).toBe('http://a.localhost:1/p?q');
    expect(forward.headers.slice(0, 2)).toEqual(['Host', 'a.localhost:1']);
    expect(forwardRequest(head('http://a.localhost?q', 'Host', 'a.localhost'), 'http', '').target).toBe(
      'http://a.localhost/?q',
    );
  });

  it('two Host lines, none, or one that is not host[:port] are a 400 (RFC 9112 3.2)', () => {
    const refused = (h: { url: string; rawHeaders: string[] }) => {
      try {
        forwardRequest(h, 'http', '127.0.0.1');
      } catch (error) {
        expect(error).toBeInstanceOf(FrontRefusal);
        return { status: (error as FrontRefusal).status, message: (error as FrontRefusal).message };
      }
      return undefined;
    };
    expect(refused(head('/', 'Host', 'a.localhost', 'host', 'b.localhost'))).toMatchObject({
      status: 400,
      message: expect.stringContaining('more than one Host'),
    });
    expect(refused(head('/', 'Host', 'a.localhost', 'Host', 'a.localhost'))?.status).toBe(400);
    expect(refused(head('/'))?.message).toContain('no Host');
    for (const bad of ['a b', 'a/b', 'a@b', 'a?b', 'a#b', 'a:80:80', '[::1', 'a\\b']) {
      expect(refused(head('/', 'Host', bad))?.status, bad).toBe(400);
    }
    expect(refused(head('*', 'Host', 'a'))?.message).toContain('origin-form');
    expect(refused(head('http://a.localhost/', 'Host', 'b.localhost'))?.message).toContain('different hosts');
    expect(refused(head('/', 'Host', '[::1]:8787'))).toBeUndefined();
  });

  it('CF-Connecting-IP is the connecting address, whatever the viewer sent; MF-CF-Blob never passes', () => {
    const forward = forwardRequest(
      head('/', 'Host', 'a', 'CF-Connecting-IP', '6.6.6.6', 'mf-cf-blob', '{"clientIp":"6.6.6.6"}', 'X-App', '1'),
      'http',
      '::ffff:127.0.0.2',
    );
    expect(forward.headers).toEqual(['Host', 'a', 'X-App', '1', 'CF-Connecting-IP', '127.0.0.2']);
  });

  it('the front names the request for the gateway; a viewer cannot send either of the front’s own headers', () => {
    const forward = forwardRequest(
      head('/', 'Host', 'a', 'X-Porthole-Front-Request', 'forged', 'x-porthole-front-left', 'forged', 'X-App', '1'),
      'http',
      '',
      false,
      'AAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(forward.headers).toEqual(['Host', 'a', 'X-App', '1', 'X-Porthole-Front-Request', 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect(forward.requestId).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(forward.authority).toBe('a');
  });

  it('hop-by-hop fields and those Connection names stay on this hop; an upgrade keeps Upgrade', () => {
    const raw = ['Host', 'a', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'X-End', '2'];
    expect(forwardRequest(head('/', ...raw), 'http', '').headers).toEqual(['Host', 'a', 'X-End', '2']);
    const upgrade = forwardRequest(
      head('/ws', 'Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'),
      'http',
      '',
      true,
    );
    expect(upgrade.headers).toEqual([
      'Host',
      'a',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Key',
      'k',
      'Connection',
      'Upgrade',
    ]);
    // Not handed over as an upgrade: Upgrade is dropped, the request is a plain one.
    expect(forwardRequest(head('/', 'Host', 'a', 'Upgrade', 'h2c'), 'http', '').headers).toEqual(['Host', 'a']);
  });

  it('the body keeps its framing: Content-Length, chunked, or none', () => {
    expect(forwardRequest(head('/', 'Host', 'a', 'Content-Length', '3'), 'http', '').framing).toBe('length');
    const chunked = forwardRequest(head('/', 'Host', 'a', 'Transfer-Encoding', 'chunked'), 'http', '');
    expect(chunked.framing).toBe('chunked');
    expect(chunked.headers).toContain('Transfer-Encoding');
    expect(forwardRequest(head('/', 'Host', 'a'), 'http', '').framing).toBe('none');
  });

  it('raw header bytes pass as Node keeps them (latin1 strings of the bytes)', () => {
    const utf8 = Buffer.from('€5').toString('latin1');
    expect(forwardRequest(head('/', 'Host', 'a', 'X-Note', utf8), 'http', '').headers).toEqual([
      'Host',
      'a',
      'X-Note',
      utf8,
    ]);
  });
});

describe('responseHeaders', () => {
  it('drops framing and hop-by-hop fields, keeps repeated ones apart and in order', () => {
    const raw = ['Set-Cookie', 'a=1', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'Transfer-Encoding', 'chunked'];
    raw.push('Set-Cookie', 'b=2', 'Content-Length', '3');
    expect(responseHeaders(raw)).toEqual(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '3']);
  });
});

describe('clientAddress', () => {
  it('IPv4-mapped IPv6 as IPv4, IPv6 as it is, nothing as empty', () => {
    expect(clientAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(clientAddress(undefined)).toBe('');
  });
});
