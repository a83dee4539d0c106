import { describe, expect, it } from 'vitest';
import { callerFromClaims, groupsFromClaim } from '../../functions/adapters/identity.js';

describe('caller from JWT claims', () => {
  it('reads groups as API Gateway flattens them and as local tokens carry them', () => {
    expect(groupsFromClaim('[official admin]')).toEqual(['official', 'admin']);
    expect(groupsFromClaim(['official'])).toEqual(['official']);
    expect(groupsFromClaim('["admin"]')).toEqual(['admin']);
    expect(groupsFromClaim(undefined)).toEqual([]);
  });

  it('makes a token without groups a citizen and no token anonymous', () => {
    expect(callerFromClaims({ sub: 'c1' })).toEqual({ kind: 'citizen', subject: 'c1' });
    expect(callerFromClaims(undefined)).toEqual({ kind: 'anonymous' });
    expect(callerFromClaims({})).toEqual({ kind: 'anonymous' });
  });

  it('binds an official to the agency of the claim, and an official without agency is no official', () => {
    expect(callerFromClaims({ sub: 'o1', 'cognito:groups': '[official]', 'custom:agencyId': 'so-tu-phap' })).toEqual({ kind: 'official', subject: 'o1', agencyId: 'so-tu-phap' });
    expect(callerFromClaims({ sub: 'o1', 'cognito:groups': '[official]' })).toEqual({ kind: 'anonymous' });
  });

  it('acts with the role the route allows when the token holds several, and never as a citizen', () => {
    const claims = { sub: 'x', 'cognito:groups': ['official', 'admin'], 'custom:agencyId': 'so-tu-phap' };
    expect(callerFromClaims(claims, ['admin']).kind).toBe('admin');
    expect(callerFromClaims(claims, ['official', 'admin']).kind).toBe('official');
    expect(callerFromClaims(claims, ['citizen']).kind).toBe('official');
  });
});
