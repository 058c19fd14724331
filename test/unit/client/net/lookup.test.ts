import { describe, expect, it } from 'vitest';
import { isLoopbackName, lookup } from '../../../../client/net/lookup';

/** lookup() with a promise, as http.request would call it. */
function resolve(hostname: string, options: { all?: boolean } | number) {
  return new Promise<{ address: unknown; family?: number }>((done, fail) =>
    lookup(hostname, options, (error, address, family) => (error ? fail(error) : done({ address, family }))),
  );
}

describe('*.localhost resolution (RFC 6761 §6.3)', () => {
  it('treats localhost and every name under .localhost as loopback, in any case, with a root dot', () => {
    for (const name of [
      'localhost',
      'porthole.localhost',
      '3000-abc-def.porthole.localhost',
      '3000-abcdefghijklmnop.abcdefghijklmnop.localhost', // a session-shape port host, two levels down
      'A.LocalHost',
      'x.localhost.',
    ])
      expect(isLoopbackName(name), name).toBe(true);
  });

  it('leaves other names to the resolver', () => {
    for (const name of ['localhost.example.com', 'notlocalhost', 'example.dev', 'localhostx', '127.0.0.1'])
      expect(isLoopbackName(name), name).toBe(false);
  });

  it('answers 127.0.0.1 in both of dns.lookup’s shapes', async () => {
    expect(await resolve('porthole.localhost', {})).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await resolve('porthole.localhost', 4)).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await resolve('porthole.localhost', { all: true })).toEqual({
      address: [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it('passes an IP literal through the system resolver unchanged', async () => {
    expect(await resolve('127.0.0.2', {})).toEqual({ address: '127.0.0.2', family: 4 });
  });
});
