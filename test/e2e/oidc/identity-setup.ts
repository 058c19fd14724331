/**
 * What the identity tests set up again and again: a gateway configured against a fresh test
 * provider (its callback registered), and a session created through the admin API with an owner
 * and a policy. The caller stops both (afterAll).
 */
import { type Harness, request, startHarness } from '../harness';
import { startProvider, type TestProvider } from './provider';

/** A test provider and a gateway whose OIDC_* point at it (`vars` added), the callback registered. */
export async function startProviderHarness(
  vars: Record<string, string> = {},
): Promise<{ provider: TestProvider; h: Harness }> {
  const provider = await startProvider();
  const h = await startHarness(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, ...vars },
    { OIDC_CLIENT_SECRET: provider.clientSecret },
  );
  provider.register(`${h.gateway.url}/auth/callback`);
  return { provider, h };
}

/** `POST /api/sessions` with `body` (`owner`, `policy`…); the new session and its token, or throws unless 201. */
export async function createIdentitySession(
  h: Harness,
  body: Record<string, unknown>,
): Promise<{ session: string; token: string }> {
  const created = await request(h.gateway, '/api/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (created.status !== 201) throw new Error(`session creation failed: ${created.status} ${created.body.toString()}`);
  return JSON.parse(created.body.toString()) as { session: string; token: string };
}
