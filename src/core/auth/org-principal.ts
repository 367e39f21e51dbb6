// Who calls the organization API: a user, by access token (JWT) or API token, and what a role in
// an organization allows. Non-members get "not found" (ids reveal nothing); members lacking the
// role, or a token limited to other organizations, get "forbidden".
import { AppError } from '../errors.js';
import type { Role } from '../model.js';
import type { MembershipView } from '../ports.js';

export interface OrgPrincipal {
  userId: string;
  email: string;
  /** The API token used (X-API-TOKEN); null for a JWT. */
  tokenId: string | null;
  /** Organizations the API token is limited to; null = all of the user's. */
  organizations: readonly string[] | null;
  /** When the API token expires; null for a JWT or a token without expiry. */
  tokenExpiresAt: string | null;
  memberships: readonly MembershipView[];
}

export type OrgAction = 'read' | 'write';

/** What each role may do with an organization's domains and records. */
const ALLOWED: Record<Role, readonly OrgAction[]> = {
  owner: ['read', 'write'],
  admin: ['read', 'write'],
  member: ['read', 'write'],
  'read-only': ['read'],
};

/** Organizations the principal sees: its memberships, within the token's limit. */
export function visibleMemberships(p: OrgPrincipal): MembershipView[] {
  return p.memberships.filter((m) => p.organizations === null || p.organizations.includes(m.accountId));
}

/** The membership that lets `p` do `action` in `accountId`, or the problem why not. */
export function requireOrgAccess(p: OrgPrincipal, accountId: string, action: OrgAction): MembershipView {
  const m = p.memberships.find((x) => x.accountId === accountId);
  if (!m) throw new AppError('not_found', `Organization ${accountId} was not found.`);
  if (p.organizations !== null && !p.organizations.includes(accountId)) {
    throw new AppError('forbidden', 'This API token is limited to other organizations.');
  }
  if (!ALLOWED[m.role].includes(action)) {
    throw new AppError('forbidden', `The ${m.role} role may not change anything in this organization.`, { extra: { role: m.role } });
  }
  return m;
}
