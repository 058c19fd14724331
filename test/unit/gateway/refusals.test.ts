import { describe, expect, it } from 'vitest';
import {
  linkNotLive,
  privatePreview,
  refusal,
  reviewerOnPrivate,
  tokenRefused,
} from '../../../gateway/access/refusals';
import { TokenError } from '../../../gateway/auth/tokens';

describe('refusal', () => {
  it('a 401 names the Porthole scheme (never Bearer: Authorization is the app’s); every refusal sends no Referer', () => {
    const e = privatePreview(8000);
    expect([e.status, e.code]).toEqual([401, 'preview_private']);
    expect(e.headers).toEqual({ 'referrer-policy': 'no-referrer', 'www-authenticate': 'Porthole realm="porthole"' });
    expect(e.message).toContain('porthole login 8000');
    expect(refusal(403, 'x', 'y').headers).toEqual({ 'referrer-policy': 'no-referrer' });
  });

  it('clears the port cookie of the request’s scheme when asked', () => {
    expect(reviewerOnPrivate(8000, 'https').headers['set-cookie']).toBe(
      '__Host-porthole=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
    expect(linkNotLive('revoked', { scheme: 'http', clear: false }).headers['set-cookie']).toBeUndefined();
  });
});

describe('tokenRefused: a presented header or cookie that failed verification', () => {
  it.each([
    // problem, claimed kind, where, → status, code, cookie cleared
    ['expired', 'share', 'cookie', 410, 'link_expired', true],
    ['expired', 'cookie', 'cookie', 401, 'login_expired', true],
    ['expired', 'owner', 'token', 401, 'login_expired', false],
    ['too_large', null, 'token', 400, 'token_too_large', false],
    ['too_large', null, 'cookie', 400, 'token_too_large', true],
    ['invalid', null, 'token', 401, 'token_invalid', false],
    ['unknown_key', 'owner', 'cookie', 401, 'token_invalid', true],
    ['not_yet_valid', 'owner', 'token', 401, 'token_invalid', false],
  ] as const)('%s (%s) in the %s → %i %s, cookie cleared: %s', (problem, kind, what, status, code, cleared) => {
    const e = tokenRefused(new TokenError(problem, kind), what, 8000, 'http');
    expect([e.status, e.code]).toEqual([status, code]);
    expect('set-cookie' in e.headers).toBe(cleared);
  });

  it('a revoked link is 410, an unknown one 403', () => {
    expect(linkNotLive('revoked', { scheme: 'http', clear: true }).status).toBe(410);
    expect(linkNotLive('unknown', { scheme: 'http', clear: true }).code).toBe('link_unknown');
  });
});
