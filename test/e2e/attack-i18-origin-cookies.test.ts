/**
 * Attack (issue 18): a hostile origin answers with Set-Cookie for the credentials of sign-in by
 * identity. Cloudflare Access's session cookie (`CF_Authorization`, any case, or nameless as
 * `=CF_Authorization=…`) on a port host Access fronts would swap the viewer's Access session for
 * the attacker's (or end it); Porthole's own (`porthole_identity`, `porthole_oidc`, prefixed or
 * not) are reserved. None reaches the viewer; the app's own cookie does.
 */
import { expect, it } from 'vitest';
import { request, startAgent, startHarness, startOrigin } from './harness';

it("an origin's Set-Cookie for CF_Authorization or the identity cookies never reaches the viewer", async () => {
  const h = await startHarness();
  const origin = await startOrigin((req, res) => {
    const host = String(req.headers['x-forwarded-host']).replace(/:\d+$/, '');
    res.setHeader('set-cookie', [
      'keep=1; Path=/',
      'CF_Authorization=attacker; Path=/; HttpOnly',
      `cf_authorization=attacker; Domain=${host}; Path=/`,
      ' Cf_Authorization =attacker',
      '=CF_Authorization=attacker',
      'porthole_identity=evil; Path=/',
      '__Host-porthole_identity=evil; Path=/; Secure',
      'porthole_oidc=evil; Path=/',
      '__Secure-porthole_oidc=evil; Path=/; Secure',
    ]);
    res.end('origin');
  });
  const agent = await startAgent(h, [origin.port]);
  const url = ((await agent.event((e) => e.event === 'port.open', 'port.open')) as { url: string }).url;
  const reply = await request(h.gateway, url);
  expect(reply.body.toString()).toBe('origin');
  expect(reply.headers['set-cookie']).toEqual(['keep=1; Path=/']);
});
