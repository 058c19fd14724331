/**
 * What a signed-in identity is to one session: its owner, a member of its organisation, or
 * neither (docs/identity.md). The session's own policy wins; without one, the gateway's
 * (ORG_EMAIL_DOMAINS, ORG_GROUPS).
 */
import { type Identity, type IdentityRole, type OrgPolicy, roleOf, type SessionIdentity } from './identity';

/** The organisation of a session: its own policy, else the gateway's default. */
export function sessionPolicy(settings: SessionIdentity, defaults: OrgPolicy): OrgPolicy {
  return settings.policy ?? defaults;
}

/** The role of `identity` in a session with `settings`. */
export function sessionRole(identity: Identity, settings: SessionIdentity, defaults: OrgPolicy): IdentityRole {
  return roleOf(identity, settings.owner, sessionPolicy(settings, defaults));
}
