import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { LocalIdentity } from '../../local/identity.js';
import { createLocalSignin, serveStatic } from '../../local/web.js';
import { loadProvinceFile, provinceFilePath } from '../../provinces/load.js';

const province = loadProvinceFile(provinceFilePath('lang-son'));
const apiUrl = 'http://127.0.0.1:3000';
const issued: { role: string; subject: string; agencyId?: string }[] = [];
const identity = {
  async issue(input: { role: string; subject: string; agencyId?: string }) {
    issued.push(input);
    return { token: `token-for-${input.subject}`, expiresIn: 3600 };
  },
} as unknown as LocalIdentity; // only issue() is used by the sign-in page

const verifier = 'v'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');
const authorize = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({ response_type: 'code', client_id: 'motcua-local', redirect_uri: `${apiUrl}/`, state: 'state-12345', code_challenge: challenge, code_challenge_method: 'S256', scope: 'openid', ...overrides });
const body = (params: URLSearchParams) => Buffer.from(params.toString());

async function signIn(now = () => 0, extra: Record<string, string> = {}) {
  const signin = createLocalSignin({ apiUrl, province, identity, now });
  const form = authorize();
  for (const [k, v] of Object.entries({ role: 'citizen', subject: 'lan', ...extra })) form.set(k, v);
  const answer = await signin.handle('POST', '/local/signin', '', body(form));
  return { signin, answer };
}

describe('the local sign-in page (authorization code with PKCE)', () => {
  test('shows a labelled form for a well-formed request from this origin', async () => {
    const signin = createLocalSignin({ apiUrl, province, identity });
    const page = await signin.handle('GET', '/local/signin', authorize().toString(), Buffer.alloc(0));
    expect(page?.status).toBe(200);
    const html = page!.body.toString();
    for (const id of ['role', 'subject', 'agencyId']) expect(html).toContain(`<label for="${id}"`);
    expect(html).toContain('<html lang="vi">');
  });

  test('refuses to send a code to another origin, or without an S256 challenge', async () => {
    const signin = createLocalSignin({ apiUrl, province, identity });
    expect((await signin.handle('GET', '/local/signin', authorize({ redirect_uri: 'https://evil.example/' }).toString(), Buffer.alloc(0)))?.status).toBe(400);
    expect((await signin.handle('GET', '/local/signin', authorize({ code_challenge_method: 'plain' }).toString(), Buffer.alloc(0)))?.status).toBe(400);
  });

  test('redirects back with a code and the state, and trades the code once for the token', async () => {
    const { signin, answer } = await signIn();
    expect(answer?.status).toBe(302);
    const back = new URL(String(answer!.headers.location));
    expect(back.origin).toBe(apiUrl);
    expect(back.searchParams.get('state')).toBe('state-12345');
    const code = back.searchParams.get('code')!;
    const trade = () => signin.handle('POST', '/local/identity/token', '', body(new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: `${apiUrl}/` })));
    const first = await trade();
    expect(first?.status).toBe(200);
    expect(JSON.parse(first!.body.toString())).toMatchObject({ id_token: 'token-for-lan', token_type: 'Bearer' });
    expect((await trade())?.status).toBe(400);
  });

  test('refuses a wrong verifier and an expired code', async () => {
    const wrong = await signIn();
    const code = new URL(String(wrong.answer!.headers.location)).searchParams.get('code')!;
    const answer = await wrong.signin.handle('POST', '/local/identity/token', '', body(new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: 'w'.repeat(43), redirect_uri: `${apiUrl}/` })));
    expect(JSON.parse(answer!.body.toString())).toEqual({ error: 'invalid_grant' });

    let clock = 0;
    const late = await signIn(() => clock);
    const lateCode = new URL(String(late.answer!.headers.location)).searchParams.get('code')!;
    clock = 61_000;
    const expired = await late.signin.handle('POST', '/local/identity/token', '', body(new URLSearchParams({ grant_type: 'authorization_code', code: lateCode, code_verifier: verifier, redirect_uri: `${apiUrl}/` })));
    expect(expired?.status).toBe(400);
  });

  test('shows the form again with what to change for a user name the API would not take', async () => {
    const before = issued.length;
    for (const subject of ['cong dan', 'Nguyễn']) {
      const { answer } = await signIn(() => 0, { subject });
      // the form again (400, as for a missing agency), not a dead end
      expect(answer?.status, subject).toBe(400);
      const html = answer!.body.toString();
      expect(html).toContain('<label for="subject"');
      expect(html).toContain('không có khoảng trắng');
    }
    expect(issued.length).toBe(before);
  });

  test('asks an official for an agency of the province, and binds the token to it', async () => {
    expect((await signIn(() => 0, { role: 'official', subject: 'can-bo' })).answer?.status).toBe(400);
    expect((await signIn(() => 0, { role: 'official', subject: 'can-bo', agencyId: 'no-such-agency' })).answer?.status).toBe(400);
    const ok = await signIn(() => 0, { role: 'official', subject: 'can-bo', agencyId: 'so-tu-phap' });
    expect(ok.answer?.status).toBe(302);
    expect(issued.at(-1)).toEqual({ role: 'official', subject: 'can-bo', agencyId: 'so-tu-phap' });
  });
});

describe('the built app on the local origin', () => {
  test('serves only its own files, never a path outside web/dist', () => {
    expect(serveStatic('/services')).toBeUndefined();
    expect(serveStatic('/assets/../../package.json')).toBeUndefined();
    expect(serveStatic('/assets/%2e%2e/%2e%2e/package.json')).toBeUndefined();
    expect(serveStatic('/package.json')).toBeUndefined();
  });

  test('answers index.html fresh and the hashed assets for a year, with the security headers (the run built web/dist)', () => {
    const index = serveStatic('/');
    expect(index?.status).toBe(200);
    expect(index?.headers).toMatchObject({ 'cache-control': 'no-cache', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index!.body.toString())?.[1];
    expect(script).toBeDefined();
    expect(serveStatic(script!)?.headers['cache-control']).toContain('immutable');
  });
});
