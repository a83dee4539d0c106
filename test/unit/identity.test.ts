import { describe, expect, it } from 'vitest';
import { callerFromClaims, groupsFromClaim } from '../../functions/adapters/identity.js';
import { idempotencySubject, intakeSubject, NATIONAL_SUBJECT } from '../../functions/domain/intake.js';

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

  it('takes a subject only as OpenID Connect defines it, and never one of the namespaces of dossiers without an account', () => {
    expect(callerFromClaims({ sub: 'a'.repeat(255) }).kind).toBe('citizen');
    expect(callerFromClaims({ sub: '7f1c2a9e-0b4d-4e8a-9c3f-2d6b8e1a4c70' }).kind).toBe('citizen');
    expect(callerFromClaims({ sub: 'auth0|5f7c8ec7c33c6c004bbafe82' }).kind).toBe('citizen');
    // too long for a key to be safe (DynamoDB refuses a 2 KB partition key), not ASCII, not printable
    for (const sub of ['a'.repeat(256), 'a'.repeat(2100), 'Nguyễn', 'a\u0000b', '\ud800', 'a b', 'a\u202eb', ' ']) {
      expect(callerFromClaims({ sub }), JSON.stringify(sub)).toEqual({ kind: 'anonymous' });
    }
    // a token whose subject would make it the applicant of a desk or national-portal dossier
    const official = { subject: 'o1', agencyId: 'so-tu-phap' };
    for (const sub of [intakeSubject({ kind: 'desk', channel: 'counter', official }, '000.00.14.H37-260302-0001'), intakeSubject({ kind: 'national', nationalCode: 'G22.99-260302-0001' }, 'x'), idempotencySubject({ kind: 'national', nationalCode: 'x' }), idempotencySubject({ kind: 'desk', channel: 'counter', official }), NATIONAL_SUBJECT]) {
      expect(callerFromClaims({ sub }), sub).toEqual({ kind: 'anonymous' });
    }
  });
});
