/** Origins and request parts shared by rows of the fidelity table (kinds.ts, changes.ts, world.ts). */
import type http from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Case, OriginContext } from './runner';

/** An origin that encodes JSON as the request's Accept-Encoding asks (br, else gzip, else none), `size` bytes of it. */
export const negotiating =
  (size = 100) =>
  (req: http.IncomingMessage, res: http.ServerResponse) => {
    const accept = req.headers['accept-encoding'] ?? '';
    const json = JSON.stringify({ items: 'x'.repeat(size) });
    const coding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : undefined;
    const body = coding === 'br' ? brotliCompressSync(json) : coding === 'gzip' ? gzipSync(json) : json;
    res.writeHead(200, {
      'content-type': 'application/json',
      vary: 'Accept-Encoding',
      ...(coding ? { 'content-encoding': coding } : {}),
    });
    res.end(body);
  };

/** A request with no body, no framing (curl's MKCOL, COPY, bare POST): the origin's view of its framing is compared. */
export const bodiless = (method: string, headers: Record<string, string> = {}): Partial<Case> => ({
  method,
  headers,
  seen: ['content-length', 'transfer-encoding'],
});

/** An origin that streams gzip itself, one gzip member per line (valid gzip), each only after the viewer received the last. */
export const gzipStream = async (_req: http.IncomingMessage, res: http.ServerResponse, ctx: OriginContext) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
  for (let i = 0; i < 5; i++) await ctx.send(res, gzipSync(`line ${i}\n`));
  res.end();
};
