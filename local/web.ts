import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, relative, sep } from 'node:path';
import * as z from 'zod';
import type { Province } from '../provinces/schema.js';
import { localSubject, type LocalIdentity } from './identity.js';
import { repoRoot } from './support.js';

/**
 * The web portal on the local runtime: the built single-page app (web/dist) served from the API's own
 * origin, as CloudFront serves it in the cloud, and a local sign-in page that plays the part of the user
 * pool's hosted UI: authorization code with PKCE (S256), answering with the same tokens as
 * `POST /local/token`. Nothing here is deployed.
 */

export const webRoot = join(repoRoot, 'web');
export const webDist = join(webRoot, 'dist');
const stampFile = join(webDist, '.build-stamp');

/** Newest modification time of what the build reads. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(webRoot);
  return newest;
}

/** Whether web/dist is missing or older than a file of web/ (vite.config.ts, index.html, src/...). */
export function webBuildStale(): boolean {
  if (!existsSync(stampFile)) return true;
  return statSync(stampFile).mtimeMs < newestSource();
}

/** Builds the app with Vite when it is missing or stale; `npm start` and the test harness call it. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<void> {
  if (!webBuildStale()) return;
  log('building the web app (web/ → web/dist)…');
  const { build } = await import('vite');
  await build({ root: webRoot, configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The headers CloudFront's response headers policy adds in the cloud (lib/web-portal.ts), minus HSTS on plain http. */
export const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
} as const;

export interface WebAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const html = (status: number, body: string, headers: Record<string, string> = {}): WebAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders, ...headers },
  body: Buffer.from(body),
});

const json = (status: number, value: unknown): WebAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: Buffer.from(JSON.stringify(value)),
});

/** A file of web/dist for `/`, `/index.html`, `/assets/…` and the few files at the root; undefined otherwise. */
export function serveStatic(path: string): WebAnswer | undefined {
  const name = path === '/' ? '/index.html' : path;
  if (!(name === '/index.html' || name.startsWith('/assets/') || /^\/[\w.-]+\.(svg|png|ico)$/.test(name))) return undefined;
  const file = normalize(join(webDist, decodeURIComponent(name)));
  if (!file.startsWith(webDist + sep) || !existsSync(file) || !statSync(file).isFile()) {
    if (name === '/index.html') return html(503, '<!doctype html><html lang="en"><title>motcua</title><p>The web app is not built: run <code>npm start</code> again.</p></html>');
    return undefined;
  }
  const immutable = relative(webDist, file).startsWith('assets');
  return {
    status: 200,
    headers: {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      // hashed asset names never change content; index.html must always be fresh
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...securityHeaders,
    },
    body: readFileSync(file),
  };
}

/** What the app reads at start (`/config.json`): where to sign in. Public values only. */
export function localWebConfig(apiUrl: string, province: Province) {
  return {
    province: { id: province.id, name: province.name },
    auth: {
      kind: 'local',
      clientId: 'motcua-local',
      authorizeUrl: `${apiUrl}/local/signin`,
      tokenUrl: `${apiUrl}/local/identity/token`,
      scope: 'openid',
    },
  };
}

interface PendingCode {
  readonly token: string;
  readonly challenge: string;
  readonly redirectUri: string;
  readonly expires: number;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const authorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.literal('motcua-local'),
  redirect_uri: z.url(),
  state: z.string().min(8).max(200),
  code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  code_challenge_method: z.literal('S256'),
  scope: z.string().max(200).optional(),
});

const signinForm = authorizeQuery.extend({
  role: z.enum(['citizen', 'official', 'admin']),
  subject: z.string().max(200),
  agencyId: z.string().max(40).optional(),
});

const tokenForm = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1).max(200),
  code_verifier: z.string().min(43).max(128),
  redirect_uri: z.url(),
  client_id: z.literal('motcua-local').optional(),
});

/** The local hosted sign-in: GET shows the form, POST issues a one-time code, the token endpoint trades it. */
export function createLocalSignin(options: { apiUrl: string; province: Province; identity: LocalIdentity; now?: () => number }) {
  const codes = new Map<string, PendingCode>();
  const now = options.now ?? Date.now;
  // Only the app on this very origin may receive a code: a redirect elsewhere would hand tokens to another site.
  const allowedRedirect = (uri: string): boolean => {
    try {
      return new URL(uri).origin === new URL(options.apiUrl).origin;
    } catch {
      return false;
    }
  };

  function page(query: z.infer<typeof authorizeQuery>, error?: string): WebAnswer {
    const agencies = options.province.agencies.map((a) => `<option value="${escape(a.id)}">${escape(a.name)}</option>`).join('');
    const hidden = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(String(v))}">`)
      .join('');
    return html(
      error ? 400 : 200,
      `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập (môi trường thử) — ${escape(options.province.name)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1a1a1a}main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:8px;border:1px solid #c9d1d9}
label{display:block;margin-top:1rem;font-weight:600}input,select{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin-top:.25rem;border:1px solid #57606a;border-radius:4px}
button{margin-top:1.5rem;font:inherit;padding:.6rem 1.2rem;background:#0b4f9c;color:#fff;border:0;border-radius:4px;cursor:pointer}button:focus,input:focus,select:focus{outline:3px solid #f2a900;outline-offset:2px}
.note{color:#444;font-size:.9rem}.error{color:#a40e26;font-weight:600}</style></head>
<body><main><h1>Đăng nhập</h1>
<p class="note">Trang đăng nhập của môi trường chạy trên máy (thay cho trang đăng nhập của tỉnh). <span lang="en">Local sign-in page standing in for the province's login.</span></p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/local/signin">${hidden}
<label for="role">Vai trò / Role</label>
<select id="role" name="role"><option value="citizen">Công dân (citizen)</option><option value="official">Cán bộ (official)</option><option value="admin">Quản trị (admin)</option></select>
<label for="subject">Tên đăng nhập / User name</label>
<input id="subject" name="subject" required maxlength="128" autocomplete="username" value="cong-dan-1">
<label for="agencyId">Cơ quan (cán bộ) / Agency (officials)</label>
<select id="agencyId" name="agencyId"><option value="">—</option>${agencies}</select>
<button type="submit">Đăng nhập</button></form></main></body></html>`,
    );
  }

  return {
    async handle(method: string, path: string, rawQuery: string, body: Buffer): Promise<WebAnswer | undefined> {
      if (path === '/local/signin' && method === 'GET') {
        const query = authorizeQuery.safeParse(Object.fromEntries(new URLSearchParams(rawQuery)));
        if (!query.success || !allowedRedirect(query.data.redirect_uri)) return html(400, '<!doctype html><html lang="vi"><title>Yêu cầu đăng nhập không hợp lệ</title><h1>Yêu cầu đăng nhập không hợp lệ</h1></html>');
        return page(query.data);
      }
      if (path === '/local/signin' && method === 'POST') {
        const form = signinForm.safeParse(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
        if (!form.success || !allowedRedirect(form.data.redirect_uri)) return html(400, '<!doctype html><html lang="vi"><title>Yêu cầu đăng nhập không hợp lệ</title><h1>Yêu cầu đăng nhập không hợp lệ</h1></html>');
        const { role, subject: typed, agencyId, ...query } = form.data;
        const name = localSubject.safeParse(typed);
        if (!name.success) return page(query, 'Tên đăng nhập chỉ gồm chữ không dấu, số và ký hiệu, không có khoảng trắng (ví dụ cong-dan-1). Letters without accents, digits and signs, no spaces.');
        const subject = name.data;
        if (role === 'official' && !agencyId) return page(query, 'Cán bộ phải chọn cơ quan. An official must pick an agency.');
        if (agencyId && !options.province.agencies.some((a) => a.id === agencyId)) return page(query, 'Cơ quan không tồn tại.');
        const { token } = await options.identity.issue({ role, subject, ...(role !== 'citizen' && agencyId ? { agencyId } : {}) });
        const code = randomBytes(24).toString('base64url');
        codes.set(code, { token, challenge: query.code_challenge, redirectUri: query.redirect_uri, expires: now() + 60_000 });
        const target = new URL(query.redirect_uri);
        target.searchParams.set('code', code);
        target.searchParams.set('state', query.state);
        return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' }, body: Buffer.alloc(0) };
      }
      if (path === '/local/identity/token' && method === 'POST') {
        const form = tokenForm.safeParse(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
        if (!form.success) return json(400, { error: 'invalid_request' });
        const pending = codes.get(form.data.code);
        // one use only, as OAuth 2.0 requires, whether or not the exchange succeeds
        codes.delete(form.data.code);
        const challenge = createHash('sha256').update(form.data.code_verifier).digest('base64url');
        if (!pending || pending.expires < now() || pending.challenge !== challenge || pending.redirectUri !== form.data.redirect_uri) {
          return json(400, { error: 'invalid_grant' });
        }
        return json(200, { id_token: pending.token, access_token: pending.token, token_type: 'Bearer', expires_in: 3600 });
      }
      return undefined;
    },
  };
}

/** Everything the portal adds to the local API's origin; the API's own routes keep precedence over nothing here. */
export function createWebRoutes(options: { apiUrl: string; province: Province; identity: LocalIdentity }) {
  const signin = createLocalSignin(options);
  const config = Buffer.from(JSON.stringify(localWebConfig(options.apiUrl, options.province)));
  return {
    async handle(method: string, path: string, rawQuery: string, body: Buffer): Promise<WebAnswer | undefined> {
      const signed = await signin.handle(method, path, rawQuery, body);
      if (signed) return signed;
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      if (path === '/config.json') return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' }, body: config };
      return serveStatic(path);
    },
  };
}
