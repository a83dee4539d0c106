import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type Role } from '../../functions/declaration.js';
import { api, tokenFor } from '../support/api.js';
import { enterpriseRegistration } from '../support/dossiers.js';

/**
 * Every declared route × every role, from the declaration itself: a route added without its access rule
 * cannot compile, and one whose rule is not enforced fails here. Allowed callers send an empty body, so
 * a POST stops at validation (400) and changes nothing; what matters is that it was let through.
 */
type Caller = 'anonymous' | Role;
const callers: readonly Caller[] = ['anonymous', 'citizen', 'official', 'admin'];
const tokens: Partial<Record<Caller, string>> = {};
const agencyId = 'so-ke-hoach-va-dau-tu';
let code = '';

beforeAll(async () => {
  tokens.citizen = await tokenFor('citizen', { subject: 'matrix-citizen' });
  tokens.official = await tokenFor('official', { agencyId, subject: 'matrix-official' });
  tokens.admin = await tokenFor('admin', { subject: 'matrix-admin' });
  const created = await api('/dossiers', { token: tokens.citizen, body: enterpriseRegistration(900) });
  expect(created.status).toBe(201);
  code = created.json.code;
});

function concretePath(path: string): string {
  return path.replace('{code}', encodeURIComponent(code)).replace(/\/agencies\/\{id\}/, `/agencies/${agencyId}`).replace('{id}', '2.001610').replace(/\{[^}]+\}/g, 'x');
}

function expected(access: 'public' | readonly Role[], caller: Caller): 'through' | 401 | 403 {
  if (access === 'public') return 'through';
  if (caller === 'anonymous') return 401;
  return access.includes(caller) ? 'through' : 403;
}

describe('who may call each route', () => {
  const cases = routes.flatMap((route) => callers.map((caller) => [`${route.method} ${route.path}`, caller, route] as const));
  it.each(cases)('%s as %s', async (_name, caller, route) => {
    const token = tokens[caller];
    const answer = await api(concretePath(route.path), {
      method: route.method,
      ...(route.method === 'GET' ? {} : { body: {} }),
      ...(token ? { token } : {}),
    });
    // the national portal's route has no JWT but a signature of its own: no role's token gets through
    const want = route.id === 'ReceiveNationalDossier' ? 401 : expected(route.access, caller);
    if (want === 'through') expect([401, 403], `${answer.status} ${answer.text}`).not.toContain(answer.status);
    else expect(answer.status, answer.text).toBe(want);
  });
});
