import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import * as z from 'zod';
import { claimNames, isSubject } from '../functions/adapters/identity.js';
import type { Role } from '../functions/declaration.js';
import { readJson, writeJsonAtomic } from './support.js';

/**
 * A local-only identity provider: it signs demo tokens with a key pair kept in `<dataDir>/identity/`
 * (so tokens survive a restart on the same port), and verifies tokens the way the HTTP API JWT
 * authorizer does. Nothing here is deployed.
 */

export const localAudience = 'motcua-local';
export const tokenAlgorithm = 'ES256';
export const tokenLifetimeSeconds = 3600;

export interface LocalIdentity {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { keys: JWK[] };
  issue(input: { role: Role; subject: string; agencyId?: string }): Promise<{ token: string; expiresIn: number }>;
  authorize: Authorizer;
}

export type Authorizer = (authorizationHeader: string | undefined) => Promise<AuthorizerResult>;

export type AuthorizerResult =
  | { readonly ok: true; readonly claims: Record<string, unknown>; readonly scopes: string[] }
  | { readonly ok: false; readonly reason: string };

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const file = join(dataDir, 'identity', 'signing-key.json');
  const stored = readJson<StoredKey>(file);
  if (stored?.privateJwk && stored.publicJwk && stored.kid) return stored;
  const { publicKey, privateKey } = await generateKeyPair(tokenAlgorithm, { extractable: true });
  const kid = randomUUID();
  const key: StoredKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: tokenAlgorithm, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: tokenAlgorithm, use: 'sig' },
  };
  writeJsonAtomic(file, key);
  return key;
}

/**
 * A user name the local issuer takes: what the API will take as a subject (functions/adapters/identity.ts),
 * so that a name typed on the sign-in page is refused there, not by every route after it.
 */
export const localSubject = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine(isSubject, 'letters, digits and ASCII signs without spaces or accents (e.g. cong-dan-1), not desk:… or dvcqg');

/**
 * What API Gateway's JWT authorizer checks: a Bearer token signed by a key of the issuer's JWKS (by kid),
 * with an allowed algorithm, the configured issuer, an unexpired `exp`, `nbf`/`iat` not in the future, and
 * the audience in `aud` (or `client_id`, as for Cognito access tokens). `now` is the real time: token
 * lifetimes are about the real world, not about the local clock that is moved to walk deadlines.
 */
export function createAuthorizer(options: { jwks: { keys: JWK[] }; issuer: string; audience: string; algorithms?: string[] }): Authorizer {
  const keySet = createLocalJWKSet(options.jwks);
  return async (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) return { ok: false, reason: 'no Bearer token' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], keySet, {
        issuer: options.issuer,
        algorithms: options.algorithms ?? [tokenAlgorithm],
        requiredClaims: ['exp'],
        clockTolerance: 5,
      }));
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    // jose checks that iat is a number, not when it is; API Gateway refuses one in the future
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + 5) return { ok: false, reason: 'iat is in the future' };
    const audiences = Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud];
    if (!audiences.includes(options.audience) && payload.client_id !== options.audience) return { ok: false, reason: 'audience not allowed' };
    const scopeClaim = payload.scope ?? payload.scp;
    const scopes = typeof scopeClaim === 'string' ? scopeClaim.split(' ').filter(Boolean) : Array.isArray(scopeClaim) ? scopeClaim.map(String) : [];
    return { ok: true, claims: { ...payload }, scopes };
  };
}

export async function createLocalIdentity(options: { dataDir: string; apiUrl: string }): Promise<LocalIdentity> {
  const key = await loadOrCreateKey(options.dataDir);
  const privateKey = await importJWK(key.privateJwk, tokenAlgorithm);
  const issuer = `${options.apiUrl}/local/identity`;
  const jwks = { keys: [key.publicJwk] };
  return {
    issuer,
    audience: localAudience,
    jwks,
    async issue({ role, subject, agencyId }) {
      const claims: JWTPayload = { token_use: 'id' };
      if (role !== 'citizen') claims[claimNames.groups] = [role];
      if (agencyId) claims[claimNames.agencyId] = agencyId;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: tokenAlgorithm, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(localAudience)
        .setSubject(subject)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${tokenLifetimeSeconds}s`)
        .sign(privateKey);
      return { token, expiresIn: tokenLifetimeSeconds };
    },
    authorize: createAuthorizer({ jwks, issuer, audience: localAudience }),
  };
}
