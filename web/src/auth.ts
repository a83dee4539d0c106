/**
 * Sign-in: OAuth 2.0 authorization code with PKCE (S256), the flow a browser app without a secret must use.
 * In the cloud the authorize and token endpoints are the user pool's hosted UI (or the province's OIDC
 * issuer); locally they are the runtime's sign-in page, which issues the same tokens as POST /local/token.
 * Where they are comes from /config.json at run time. The id token is kept in sessionStorage only: it
 * leaves with the tab.
 */

export interface AuthConfig {
  readonly kind: 'local' | 'cognito' | 'oidc';
  readonly clientId: string;
  readonly authorizeUrl?: string;
  readonly tokenUrl?: string;
  /** with kind oidc: endpoints come from the issuer's discovery document */
  readonly issuer?: string;
  readonly scope: string;
  readonly logoutUrl?: string;
}

export interface PortalConfig {
  readonly province: { readonly id: string; readonly name: string };
  readonly auth: AuthConfig;
}

export interface Session {
  readonly token: string;
  readonly role: 'citizen' | 'official' | 'admin';
  readonly subject: string;
  readonly agencyId?: string;
  readonly expiresAt: number;
}

const tokenKey = 'motcua.token';
const flowKey = 'motcua.pkce';

const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function claimsOf(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(text))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Groups as the API reads them (cognito:groups); the display only, the API decides what is allowed. */
function sessionFrom(jwt: string): Session | undefined {
  const claims = claimsOf(jwt);
  if (!claims || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
  const agencyId = typeof claims['custom:agencyId'] === 'string' ? claims['custom:agencyId'] : undefined;
  const role = groups.includes('official') && agencyId ? 'official' : groups.includes('admin') ? 'admin' : 'citizen';
  return { token: jwt, role, subject: claims.sub, ...(agencyId ? { agencyId } : {}), expiresAt: claims.exp * 1000 };
}

export function session(): Session | undefined {
  const jwt = sessionStorage.getItem(tokenKey);
  if (!jwt) return undefined;
  const s = sessionFrom(jwt);
  if (!s || s.expiresAt < Date.now()) {
    sessionStorage.removeItem(tokenKey);
    return undefined;
  }
  return s;
}

export const token = (): string | undefined => session()?.token;

async function endpoints(auth: AuthConfig): Promise<{ authorize: string; token: string }> {
  if (auth.authorizeUrl && auth.tokenUrl) return { authorize: auth.authorizeUrl, token: auth.tokenUrl };
  if (!auth.issuer) throw new Error('config.json names no sign-in endpoint');
  const discovery = (await (await fetch(`${auth.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
  return { authorize: discovery.authorization_endpoint, token: discovery.token_endpoint };
}

const redirectUri = (): string => `${location.origin}/`;

export async function signIn(config: PortalConfig, returnTo: string): Promise<void> {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(flowKey, JSON.stringify({ verifier, state, returnTo }));
  const { authorize } = await endpoints(config.auth);
  const url = new URL(authorize);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.auth.clientId,
    redirect_uri: redirectUri(),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: config.auth.scope,
  }).toString();
  location.assign(url.toString());
}

/** On return from the sign-in page: trade the code for tokens; answers the hash to go back to. */
export async function completeSignIn(config: PortalConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  if (!code || !state) return undefined;
  const flow = JSON.parse(sessionStorage.getItem(flowKey) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(flowKey);
  history.replaceState(null, '', `/${location.hash}`);
  if (!flow || flow.state !== state) throw new Error('sign-in state does not match: start again');
  const { token: tokenUrl } = await endpoints(config.auth);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: flow.verifier, redirect_uri: redirectUri(), client_id: config.auth.clientId }).toString(),
  });
  if (!res.ok) throw new Error(`sign-in failed (${res.status})`);
  const tokens = (await res.json()) as { id_token?: string; access_token?: string };
  // The id token carries the groups and the agency the API reads (Cognito puts custom attributes only there).
  const jwt = tokens.id_token ?? tokens.access_token;
  if (!jwt || !sessionFrom(jwt)) throw new Error('sign-in answered no usable token');
  sessionStorage.setItem(tokenKey, jwt);
  return flow.returnTo;
}

/** Sign-out leaves nothing of the session in the tab: the token, and the codes and PINs kept for it (a shared desk computer). */
export function signOut(config: PortalConfig): void {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('motcua.')) sessionStorage.removeItem(key);
  if (config.auth.logoutUrl) {
    const url = new URL(config.auth.logoutUrl);
    url.searchParams.set('client_id', config.auth.clientId);
    url.searchParams.set('logout_uri', redirectUri());
    location.assign(url.toString());
  }
}
