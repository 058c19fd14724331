/**
 * ATTACK (issue 17): "what did the webhook send" is what the log is for, and a GitLab webhook sends
 * its shared secret in `X-Gitlab-Token`: only a fixed list of API-key headers lost their values,
 * so that secret (and `Private-Token`, `X-Vault-Token`, `X-Amz-Security-Token`…) was shown in the
 * control API, the dashboard, the file and to MCP agents.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactValue } from '../../../../client/requests/redact';

describe('ATTACK: credential headers outside the fixed list', () => {
  it.each([
    'X-Gitlab-Token',
    'Private-Token',
    'X-Vault-Token',
    'X-Amz-Security-Token',
    'X-Goog-Api-Key',
    'X-Shopify-Access-Token',
    'X-Client-Secret',
    'x_access_token',
    'X-Password',
    'X-Apikey',
    'X-Aws-Access-Key',
  ])('%s loses its value', (name) => {
    expect(redactValue(name, 'hook-secret-1234')).toBe(REDACTED);
  });

  it('leaves headers that hold no credential as they are', () => {
    const kept: [string, string][] = [
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['X-Hub-Signature-256', 'sha256=abc'],
      ['X-Request-Id', 'r1'],
      ['Content-Type', 'application/json'],
      ['X-Gitlab-Event', 'Push Hook'],
      ['X-Tokenizer', 'v2'],
    ];
    expect(redactHeaders(kept)).toEqual(kept);
  });
});
