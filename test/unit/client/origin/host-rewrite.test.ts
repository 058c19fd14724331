import { describe, expect, it } from 'vitest';
import { originRequestHeaders } from '../../../../client/origin/headers';
import { originRequestValue, publicOrigin, publicResponseHeaders } from '../../../../client/origin/host-rewrite';
import type { OpenRequest } from '../../../../protocol';

const open: OpenRequest = {
  port: 5173,
  method: 'POST',
  path: '/',
  headers: [['x-forwarded-proto', 'https']],
  host: '5173-abc.porthole.dev',
  hasBody: true,
  upgrade: false,
  viewer: { kind: 'owner' },
};

describe('Origin and Referer with Host rewritten', () => {
  it('the public origin is X-Forwarded-Proto and the public host', () => {
    expect(publicOrigin(open)).toBe('https://5173-abc.porthole.dev');
  });

  it('maps the preview’s own origin (any case) to localhost:<port>', () => {
    expect(originRequestValue('Origin', 'https://5173-abc.porthole.dev', open)).toBe('http://localhost:5173');
    expect(originRequestValue('origin', 'HTTPS://5173-ABC.porthole.dev', open)).toBe('http://localhost:5173');
    expect(originRequestValue('Referer', 'https://5173-abc.porthole.dev/a?b=1#c', open)).toBe(
      'http://localhost:5173/a?b=1#c',
    );
    // WebDAV COPY/MOVE target (RFC 4918 10.3): nginx's dav module refuses one on another host.
    expect(originRequestValue('Destination', 'https://5173-abc.porthole.dev/b%20c.txt', open)).toBe(
      'http://localhost:5173/b%20c.txt',
    );
    expect(originRequestValue('Destination', 'https://evil.example/b.txt', open)).toBe('https://evil.example/b.txt');
  });

  it('leaves every other origin as sent: siblings, other schemes, look-alike hosts, other sites', () => {
    for (const other of [
      'https://5174-abc.porthole.dev',
      'http://5173-abc.porthole.dev',
      'https://5173-abc.porthole.dev.evil.example',
      'https://5173-abc.porthole.dev:8443',
      'https://evil.example',
      'null',
    ]) {
      expect(originRequestValue('Origin', other, open)).toBe(other);
      expect(originRequestValue('Referer', `${other}/x`, open)).toBe(`${other}/x`);
    }
  });

  it('changes no other header, and nothing under --preserve-host', () => {
    expect(originRequestValue('X-Origin', 'https://5173-abc.porthole.dev', open)).toBe('https://5173-abc.porthole.dev');
    const withOrigin = {
      ...open,
      headers: [...open.headers, ['Origin', 'https://5173-abc.porthole.dev']],
    } as OpenRequest;
    expect(originRequestHeaders(withOrigin, true)).toContain('https://5173-abc.porthole.dev');
    expect(originRequestHeaders(withOrigin, false)).toContain('http://localhost:5173');
  });
});

describe('Location, Content-Location and Refresh with Host rewritten', () => {
  it('map the port’s local origin back to the public one', () => {
    expect(
      publicResponseHeaders(
        [
          ['Location', 'http://localhost:5173/login?next=%2F#x'],
          ['content-location', 'http://127.0.0.1:5173'],
          ['location', 'http://[::1]:5173/'],
          ['Refresh', '0; url=http://LOCALHOST:5173/later'],
          ['Link', '<http://localhost:5173/a>; rel=preload'],
        ],
        open,
      ),
    ).toEqual([
      ['Location', 'https://5173-abc.porthole.dev/login?next=%2F#x'],
      ['content-location', 'https://5173-abc.porthole.dev'],
      ['location', 'https://5173-abc.porthole.dev/'],
      ['Refresh', '0; url=https://5173-abc.porthole.dev/later'],
      ['Link', '<http://localhost:5173/a>; rel=preload'],
    ]);
  });

  it('leave other ports, other hosts and relative URLs alone', () => {
    for (const other of ['http://localhost:51730/', 'http://localhost:5174/', 'https://example.com/', '/login']) {
      expect(publicResponseHeaders([['Location', other]], open)).toEqual([['Location', other]]);
    }
  });
});
