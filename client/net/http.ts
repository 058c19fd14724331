/** One JSON call to the gateway over node:http(s) (so `*.localhost` names resolve to loopback). */
import http from 'node:http';
import https from 'node:https';
import { lookup } from './lookup';

/**
 * Send `body` (JSON text, if any) with a bearer token; resolves with the
 * status and the answer's text whatever the status, rejects when the gateway
 * cannot be reached (or, with `timeoutMs`, does not answer in time).
 */
export function callGateway(
  url: URL,
  method: string,
  token: string,
  body?: string,
  timeoutMs?: number,
): Promise<{ status: number; text: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        lookup,
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${(timeoutMs ?? 0) / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
