import { describe, expect, it } from 'vitest';
import { originHost, originRequestHeaders, rawToPairs } from '../../../../client/origin/headers';
import { LOOPBACK, urlHost } from '../../../../client/origin/loopback';
import type { OpenRequest } from '../../../../protocol';

const open: OpenRequest = {
  port: 5173,
  method: 'GET',
  path: '/app?x=1',
  headers: [
    ['Host', '5173-abc.porthole.localhost:8787'],
    ['Accept', 'text/html'],
    ['Cookie', 'a=1'],
    ['Cookie', 'b=2'],
  ],
  host: '5173-abc.porthole.localhost:8787',
  hasBody: false,
  upgrade: false,
  viewer: { kind: 'owner' },
};

describe('the Host an origin sees', () => {
  it('is localhost:<port> by default and the public host when preserved', () => {
    expect(originHost(open, false)).toBe('localhost:5173');
    expect(originHost(open, true)).toBe('5173-abc.porthole.localhost:8787');
  });

  it('replaces the viewer Host header once and keeps the rest in order, repeats apart', () => {
    expect(originRequestHeaders(open, false)).toEqual([
      'host',
      'localhost:5173',
      'Accept',
      'text/html',
      'Cookie',
      'a=1',
      'Cookie',
      'b=2',
    ]);
  });
});

describe('raw headers', () => {
  it('pairs up a flat array and drops a dangling name', () => {
    expect(rawToPairs(['A', '1', 'a', '2', 'B'])).toEqual([
      ['A', '1'],
      ['a', '2'],
    ]);
  });
});

describe('loopback addresses', () => {
  it('tries IPv4 first, then IPv6', () => {
    expect(LOOPBACK).toEqual(['127.0.0.1', '::1']);
  });

  it('brackets an IPv6 literal for a URL (RFC 3986 §3.2.2)', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
    expect(new URL(`ws://${urlHost('::1')}:80/`).hostname).toBe('[::1]');
  });
});
