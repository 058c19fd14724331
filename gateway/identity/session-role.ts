/**
 * What a signed-in identity is to one session: its owner, a member of its organisation, or
 * neither (docs/identity.md). The session's own policy wins; without one, the gateway's
 * (ORG_EMAIL_DOMAINS, ORG_GROUPS): org-policy.ts effectivePolicy.
 */
import type { IdentityConfig } from './config';
import { type Identity, type IdentityRole, roleOf, type SessionIdentity } from './identity';
import { effectivePolicy } from './org-policy';

/** The role of `identity` in a session with `settings`, under the gateway's identity config. */
export function sessionRole(identity: Identity, settings: SessionIdentity, config: IdentityConfig): IdentityRole {
  return roleOf(identity, settings.owner, effectivePolicy(settings.policy, config));
}
