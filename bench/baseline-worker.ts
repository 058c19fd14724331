/**
 * The baselines' Worker, one ES module for Miniflare and for workerd run directly (workerd.ts).
 * MODE "do": every request goes to a Durable Object that answers it itself (the smallest
 * Worker → object round trip: what Porthole's viewer path costs before its tunnel); MODE "bare":
 * a pass-through Worker that fetches the origin (the runtime's own ceiling for a proxy).
 * The object answers like the origin (origin.ts): 13 bytes for /small, /bytes?size=N the
 * origin's pattern with its Content-Length, /upload the body's length and sha256 as JSON.
 */
export const BASELINE_WORKER = `
const BLOCK = (() => {
  const text = new TextEncoder().encode('porthole-bench-');
  const block = new Uint8Array(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = text[i % text.length];
  return block;
})();

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class Echo {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/bytes') {
      const size = Number(url.searchParams.get('size') ?? 0);
      const { readable, writable } = new FixedLengthStream(size);
      const writer = writable.getWriter();
      (async () => {
        for (let sent = 0; sent < size; ) {
          const n = Math.min(BLOCK.length, size - sent);
          sent += n;
          await writer.write(BLOCK.slice(0, n));
        }
        await writer.close();
      })().catch(() => {});
      return new Response(readable, { headers: { 'content-type': 'application/octet-stream' } });
    }
    if (url.pathname === '/upload') {
      const digest = new crypto.DigestStream('SHA-256');
      const writer = digest.getWriter();
      const reader = request.body.getReader();
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        await writer.write(value);
      }
      await writer.close();
      return Response.json({ bytes, sha256: hex(await digest.digest) });
    }
    return new Response('hello, bench\\n', { headers: { 'content-type': 'text/plain' } });
  }
}

export default {
  fetch(request, env) {
    if (env.MODE === 'do') return env.ECHO.get(env.ECHO.idFromName('bench')).fetch(request);
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
`;
