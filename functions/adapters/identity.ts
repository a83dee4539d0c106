import type { Role } from '../declaration.js';
import type { Caller } from '../domain/access.js';

/**
 * The verified caller (a domain type: the access policy decides over it), from the claims that the HTTP
 * API JWT authorizer (cloud) or the local runtime (same checks, with jose) put on the event. Claim names
 * follow Cognito so that one code path serves the default user pool, an external OIDC issuer mapped to
 * the same claims, and local demo tokens.
 */
export type { Caller };

export const claimNames = {
  subject: 'sub',
  /** group membership carries the role: `official`, `admin`; no group means citizen */
  groups: 'cognito:groups',
  /** the agency an official is bound to */
  agencyId: 'custom:agencyId',
} as const;

/**
 * API Gateway HTTP API flattens array claims to a string like "[official admin]"; local tokens keep the
 * JSON array. Accept both.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: API Gateway's "[a b]" form
    }
    return trimmed.slice(1, -1).split(/[\s,]+/).filter(Boolean);
  }
  return trimmed.split(/[\s,]+/).filter(Boolean);
}

/**
 * A subject as OpenID Connect defines it (Core 1.0, section 2: at most 255 ASCII characters; Cognito's are
 * UUIDs), printable, and not in the namespaces this code gives to dossiers that have no account behind them
 * (`desk:`, `dvcqg:`, functions/domain/intake.ts), so that no token can be their applicant. It goes into
 * keys and items: anything else is no caller at all.
 */
export const isSubject = (value: unknown): value is string => typeof value === 'string' && /^[\x21-\x7e]{1,255}$/.test(value) && !/^(desk:|dvcqg(:|$))/.test(value);

/**
 * The caller for a route's access rule. A token holding several roles acts with the first one the
 * route allows, in the order official, admin, citizen; no role beyond what the token says is assumed.
 */
export function callerFromClaims(claims: Record<string, unknown> | undefined, allowed?: readonly Role[]): Caller {
  const subject = claims?.[claimNames.subject];
  if (!claims || !isSubject(subject)) return { kind: 'anonymous' };
  const groups = groupsFromClaim(claims[claimNames.groups]);
  const agencyId = claims[claimNames.agencyId];
  const held: Caller[] = [];
  if (groups.includes('official') && typeof agencyId === 'string' && agencyId !== '') held.push({ kind: 'official', subject, agencyId });
  if (groups.includes('admin')) held.push({ kind: 'admin', subject });
  if (!groups.includes('official') && !groups.includes('admin')) held.push({ kind: 'citizen', subject });
  const usable = allowed ? held.filter((c) => (allowed as readonly string[]).includes(c.kind)) : held;
  return usable[0] ?? held[0] ?? { kind: 'anonymous' };
}
