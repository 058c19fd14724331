/**
 * A local Cloudflare Access team for the Access-mode tests: an RS256 key, its JWKS at
 * `/cdn-cgi/access/certs` on 127.0.0.1:0 (as `<team>.cloudflareaccess.com` serves it), and
 * `sign(claims)` making the `Cf-Access-Jwt-Assertion` Access would send.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export interface AccessTeam {
  /** `http://127.0.0.1:<port>`: ACCESS_TEAM_DOMAIN and the assertion's issuer. */
  teamDomain: string;
  /** ACCESS_AUD: the application's audience tag. */
  audience: string;
  /** Requests for the certs so far. */
  certsRequests(): number;
  /**
   * An assertion for `claims` over the defaults (iss = team, aud = audience, sub, email, iat, exp
   * in 5 minutes). `kid`: another key id; `foreignKey`: signed with a key the team does not publish.
   */
  sign(claims?: JWTPayload, options?: { kid?: string; foreignKey?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

export async function startAccessTeam(): Promise<AccessTeam> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let certs = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/cdn-cgi/access/certs') {
      certs += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const teamDomain = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = randomBytes(32).toString('hex');
  return {
    teamDomain,
    audience,
    certsRequests: () => certs,
    sign: (claims = {}, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: teamDomain,
        aud: [audience],
        sub: 'a1b2c3-alice',
        email: 'Alice@Example.com',
        type: 'app',
        iat: now,
        nbf: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? kid })
        .sign(options.foreignKey ? foreign.privateKey : privateKey);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
