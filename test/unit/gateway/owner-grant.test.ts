/**
 * The owner grant in tokens (auth/tokens.ts, access/owner-grant.ts): an owner
 * kind is never minted past its grant's `until` nor without a grant, and one
 * that claims otherwise, or belongs to an earlier epoch, is refused.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { requireEpoch } from '../../../gateway/access/owner-grant';
import { mintToken, TokenError, verifyToken } from '../../../gateway/auth/tokens';
import { GatewayError } from '../../../gateway/errors';
import { aud, mintForTest } from '../../e2e/tokens';

const secrets = { tokenSecret: 'g'.repeat(32), tokenSecretPrevious: null };
const session = 'abcdefghijklmnop';
const now = () => Math.floor(Date.now() / 1000);

describe('owner grants', () => {
  it('caps every owner kind at `until`, and refuses to mint one without a grant', async () => {
    const until = now() + 30;
    for (const kind of ['owner', 'login', 'cookie'] as const) {
      const token = await mintToken(secrets, kind, { session, ttlSeconds: 12 * 3600, until, epoch: 0 });
      expect(decodeJwt(token).exp).toBe(until);
      await expect(mintToken(secrets, kind, { session, ttlSeconds: 60 })).rejects.toThrow('needs a grant');
    }
    // Not an owner kind: no grant, no cap.
    const share = await mintToken(secrets, 'share', { session, ttlSeconds: 3600, jti: 'x' });
    expect(decodeJwt(share).until).toBeUndefined();
  });

  it('refuses an owner token with no grant or one that outlives it; keeps the grant of a good one', async () => {
    const bare = await mintForTest(secrets.tokenSecret, { aud: aud.cookie, sub: session, untilIn: null });
    const past = await mintForTest(secrets.tokenSecret, { aud: aud.owner, sub: session, expiresIn: 600, untilIn: 60 });
    for (const token of [bare, past]) {
      await expect(verifyToken(secrets, token, ['owner', 'cookie'])).rejects.toBeInstanceOf(TokenError);
    }
    const good = await mintForTest(secrets.tokenSecret, { aud: aud.owner, sub: session, epoch: 3 });
    const claims = await verifyToken(secrets, good, ['owner']);
    expect(claims).toMatchObject({ epoch: 3, until: claims.expiresAt });
  });

  it('refuses a grant of another epoch with 401 signed_out', async () => {
    const claims = await verifyToken(
      secrets,
      await mintForTest(secrets.tokenSecret, { aud: aud.owner, sub: session, epoch: 1 }),
      ['owner'],
    );
    expect(() => requireEpoch(claims, 1, 'token')).not.toThrow();
    for (const current of [0, 2]) {
      const refused = (() => {
        try {
          requireEpoch(claims, current, 'token');
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(GatewayError);
      expect(refused).toMatchObject({ status: 401, code: 'signed_out' });
    }
  });
});
