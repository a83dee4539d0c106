import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { routes } from '../../functions/declaration.js';
import { api, tokenFor } from '../support/api.js';
import { applicant, enterpriseRegistration } from '../support/dossiers.js';

/**
 * Every route of /openapi.json, driven with generated hostile input: path parameters of any bytes,
 * query strings with wrong, extra and forged values (cursors included), bodies of any JSON, valid bodies
 * with one leaf replaced by something that must be refused, odd content types, and forged or real
 * tokens. Whatever is sent: never a 5xx, a 4xx carries the error shape (or API Gateway's own
 * `{"message"}` for 401 / no route / 413), and a refused request writes no item, object or message.
 */

const stack = inject('localStack');
const agencyId = 'so-ke-hoach-va-dau-tu';
const subjects = { citizen: 'fuzz-citizen', official: 'fuzz-official', admin: 'fuzz-admin' };
const tokens: string[] = [];
let draftCode = '';
let forgedTokens: string[] = [];

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly body: boolean;
}
let operations: Operation[] = [];

/** Values no field of any route accepts, whatever its type. */
const refusedEverywhere: readonly unknown[] = [1e21, 2 ** 53, -1e308, 5e-324, 'x\u0000y', '\ud800', 'a\u202eb', '\u200b\u200b', null, [[]], { '': { '': [] } }];

/** Valid bodies of the write routes: one leaf replaced by a refused value makes a request that must fail. */
const validBodies: Record<string, unknown> = {
  'POST /dossiers': enterpriseRegistration(7777),
  'POST /dossiers/{code}/actions': { action: 'request-supplement', reason: 'thiếu bản sao', missing: ['bản sao CCCD'] },
  'POST /dossiers/{code}/supplement': { note: 'đã bổ sung' },
  'POST /dossiers/{code}/rating': { rating: 'satisfied', comment: 'tốt' },
  'POST /dossiers/{code}/documents': { component: 'giay-de-nghi', fileName: 'don.pdf', contentType: 'application/pdf', size: 1000 },
  'POST /dossiers/{code}/results': { fileName: 'kq.pdf', contentType: 'application/pdf', size: 1000 },
};

function leaves(value: unknown, path: readonly (string | number)[] = []): (string | number)[][] {
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return [[...path]];
}

function replaced(value: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    copy[Number(head)] = replaced(copy[Number(head)], rest, by);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  copy[String(head)] = replaced(copy[String(head)], rest, by);
  return copy;
}

/** Percent-encodes raw bytes, so path parameters can carry invalid UTF-8, slashes, dots and NULs. */
const rawBytes = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join(''));
const pathValue = () =>
  fc.oneof(
    fc.constant(() => encodeURIComponent(draftCode)),
    fc.constant(() => '000.00.05.H37-990101-9999'),
    fc.constant(() => '00000000-0000-4000-8000-000000000000'),
    fc.constant(() => agencyId),
    rawBytes.map((s) => () => s),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => () => encodeURIComponent(s) || 'x'),
    fc.constantFrom('..', '%2E%2E', '%2F', '%00', 'a'.repeat(300), '%ED%A0%80', '%F0%9F', '1e21').map((s) => () => s),
  );

const queryValue = fc.oneof(
  fc.constantFrom('-5', '0', '0.5', '1e21', '101', '0x10', '', ' 7', 'open', 'closed', 'bnVsbA', 'null', 'province', 'agency:x', '2024-02-31', '2026-13', '9999', 'csv'),
  fc.base64String({ maxLength: 80 }).map((s) => s.replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const json = (text: string) => ({ text, type: 'application/json' });
/** Mostly a valid body with one leaf made hostile (it gets furthest into the code), else anything. */
const body = (key: string) =>
  fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => json(JSON.stringify(v))), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }).map(json), weight: 1 },
    { arbitrary: fc.constantFrom('{"a":', '[]', 'null', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'x'.repeat(70_000)).map(json), weight: 1 },
    { arbitrary: fc.record({ text: fc.constant('{}'), type: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=utf-16') }), weight: 1 },
    ...(validBodies[key]
      ? [
          {
            arbitrary: fc
              .tuple(fc.constantFrom(...leaves(validBodies[key])), fc.constantFrom(...refusedEverywhere))
              .map(([path, value]) => json(JSON.stringify(replaced(validBodies[key], path, value)))),
            weight: 6,
          },
        ]
      : []),
  );

// real tokens most of the time, so that requests get past the authorizer to the code under test
const authorization = () =>
  fc.oneof({ arbitrary: fc.constantFrom(...tokens.map((t) => `Bearer ${t}`)), weight: 5 }, { arbitrary: fc.constantFrom(...forgedTokens), weight: 2 }, { arbitrary: fc.constant(undefined), weight: 1 });

function requestFor(op: Operation) {
  const key = `${op.method} ${op.path}`;
  const names = op.path.match(/\{[^}]+\}/g) ?? [];
  return fc.record({
    params: fc.tuple(...names.map(() => pathValue())),
    query: fc.dictionary(fc.constantFrom(...op.query, 'x', 'cursor', 'limit', '__proto__'), queryValue, { maxKeys: 4 }),
    body: op.body || op.method === 'POST' ? fc.option(body(key), { nil: undefined, freq: 5 }) : fc.constant(undefined),
    authorization: authorization(),
    idempotencyKey: fc.option(fc.string({ unit: 'grapheme', maxLength: 140 }), { nil: undefined }),
  });
}

/** What a refused request could have left behind, scoped to this file's callers and its dossier. */
async function footprint(): Promise<string> {
  const db = new DynamoDBClient({});
  const s3 = new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const scan = await db.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression: 'begins_with(pk, :idem) OR applicantSubject = :s OR contains(pk, :fuzz)',
        ExpressionAttributeValues: { ':idem': { S: `IDEMPOTENCY#${subjects.citizen}` }, ':s': { S: subjects.citizen }, ':fuzz': { S: 'fuzz' } },
        ProjectionExpression: 'pk, sk, version',
      }),
    );
    const partition = await db.send(
      new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `DOSSIER#${draftCode}` } }, ProjectionExpression: 'pk, sk, version' }),
    );
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: `dossiers/${draftCode}/` }));
    const items = [...(scan.Items ?? []), ...(partition.Items ?? [])].map((i) => `${i.pk?.S}|${i.sk?.S}|${i.version?.N ?? ''}`).sort();
    return JSON.stringify({ items, objects: (objects.Contents ?? []).map((o) => o.Key).sort() });
  } finally {
    db.destroy();
    s3.destroy();
  }
}

beforeAll(async () => {
  const citizen = await tokenFor('citizen', { subject: subjects.citizen });
  tokens.push(citizen, await tokenFor('official', { agencyId, subject: subjects.official }), await tokenFor('admin', { subject: subjects.admin }), await tokenFor('citizen', { subject: 'fuzz-stranger' }));
  const created = await api('/dossiers', { token: citizen, body: { ...enterpriseRegistration(7000), draft: true } });
  expect(created.status, created.text).toBe(201);
  draftCode = created.json.code;

  // tokens an attacker can make: none of them may pass the authorizer
  const { privateKey } = await generateKeyPair('ES256');
  const foreign = await new SignJWT({ 'cognito:groups': ['admin'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'forged' })
    .setIssuer(stack.issuer)
    .setAudience(stack.audience)
    .setSubject('fuzz-forger')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  const [header, payload, signature] = citizen.split('.') as [string, string, string];
  const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), 'cognito:groups': ['admin'] })).toString('base64url');
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
  forgedTokens = [`Bearer ${foreign}`, `Bearer ${header}.${elevated}.${signature}`, `Bearer ${none}`, 'Bearer ', 'Bearer x.y.z', `Basic ${Buffer.from('a:b').toString('base64')}`, citizen, `Bearer ${citizen}x`];

  const doc = (await api('/openapi.json')).json as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      body: op.requestBody !== undefined,
    })),
  );
}, 60_000);

let before = '';

describe('hostile input on every route', () => {
  it('refuses every refused value in every leaf of every write body with 400 naming the field', { timeout: 60_000 }, async () => {
    before = await footprint();
    const [citizen, official] = tokens as [string, string];
    const callers: Record<string, string> = { 'POST /dossiers/{code}/results': official, 'POST /dossiers/{code}/actions': official };
    for (const [key, valid] of Object.entries(validBodies)) {
      const [method, template] = key.split(' ') as [string, string];
      const path = template.replace('{code}', encodeURIComponent(draftCode));
      for (const leaf of leaves(valid)) {
        await Promise.all(
          refusedEverywhere.map(async (value) => {
            const answer = await api(path, { method, token: callers[key] ?? citizen, body: replaced(valid, leaf, value) });
            const where = `${key} ${leaf.join('.')}=${JSON.stringify(value)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
            // the officials' routes run on the draft, which they may not see: what the contract lets through
            // to the domain's own checks (a file name's characters) is then refused as a dossier they cannot see
            if (callers[key] && answer.status === 404) {
              expect(answer.json.error.code, where).toBe('not_found');
              return;
            }
            expect(answer.status, where).toBe(400);
            expect(answer.json.error.code, where).toBe('invalid_input');
            const fields = (answer.json.error.details as { field?: string }[]).map((d) => d.field ?? '');
            const named = leaf.join('.');
            expect(fields.some((f) => f !== '' && (named === f || named.startsWith(`${f}.`) || f.startsWith(named))), where).toBe(true);
          }),
        );
      }
    }
  });

  it('never gets a 5xx, always gets the error shape, and writes nothing', { timeout: 120_000 }, async () => {
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    const problems: string[] = [];
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(requestFor(op), async (input) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => input.params[i++]!());
          const search = new URLSearchParams(Object.entries(input.query)).toString();
          const headers: Record<string, string> = {};
          if (input.authorization !== undefined) headers.authorization = input.authorization;
          if (input.idempotencyKey !== undefined) headers['idempotency-key'] = encodeURIComponent(input.idempotencyKey);
          if (input.body) headers['content-type'] = input.body.type;
          const answer = await api(`${path}${search ? `?${search}` : ''}`, { method: op.method, headers, ...(input.body ? { body: input.body.text } : {}) });
          const where = `${op.method} ${path}?${search} ${input.body?.text.slice(0, 200) ?? ''} -> ${answer.status} ${answer.text.slice(0, 300)}`;
          if (answer.status >= 500) problems.push(where);
          expect(answer.status, where).toBeLessThan(500);
          if (answer.status >= 400) {
            const gateway = [401, 404, 413].includes(answer.status) && typeof answer.json?.message === 'string' && answer.json.error === undefined;
            if (!gateway) {
              expect(typeof answer.json?.error?.code, where).toBe('string');
              expect(typeof answer.json?.error?.message, where).toBe('string');
            }
          }
          // refused requests only: a write route that accepted hostile input would be a finding of its own
          if (op.method !== 'GET') expect(answer.status, where).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: op.method === 'GET' ? 12 : 25, seed: 20261202, endOnFailure: true },
      );
    }
    expect(problems).toEqual([]);
    // the wrong-PIN counter of /track is a deliberate write (it is the attempt limit), not data
    expect((await footprint()).replace(/"TRACKING#[^"]*"/g, ''), 'something was stored from a refused request').toBe(before.replace(/"TRACKING#[^"]*"/g, ''));
  });

  it('refuses values every field accepts when together they cannot be served, and stores nothing', { timeout: 60_000 }, async () => {
    const [citizen, official] = tokens as [string, string];
    const start = await footprint();
    const refused = async (path: string, init: Parameters<typeof api>[1], field: string) => {
      const answer = await api(path, init);
      expect(answer.status, `${path} -> ${answer.text}`).toBe(400);
      expect(answer.json.error.code).toBe('invalid_input');
      expect((answer.json.error.details as { field?: string }[]).map((d) => d.field)).toContain(field);
    };

    // copies past what the payment platform can carry (15 digits of VND): the fee could never be paid
    const record = { serviceId: '2.000488', applicant: applicant(7778), fields: { purpose: 'Xin việc', copies: 1_000_000_000_000 } };
    await refused('/dossiers', { token: citizen, body: record }, 'fields.copies');
    await refused(`/dossiers/${encodeURIComponent(draftCode)}/actions`, { token: official, body: { action: 'request-payment', amountVnd: 1e15, reason: 'phí bổ sung' } }, 'amountVnd');

    // a period report of a period not yet begun: its carry-over would read one item per year up to it
    await refused('/stats?shape=report&year=9999', {}, 'query.year');
    await refused('/stats?shape=report&month=9999-12', {}, 'query.month');
    await refused('/stats?shape=report&day=9999-12-31', {}, 'query.day');
    const thisYear = await api(`/stats?shape=report&year=${new Date().getUTCFullYear()}`);
    expect(thisYear.status, thisYear.text).toBe(200);

    expect(await footprint(), 'something was stored from a refused request').toBe(start);
  });

  it('takes a signed token whose subject no OpenID provider issues as no caller: 401, and nothing stored', async () => {
    // signed with the local issuer's own key, as an identity provider with odd subjects would (the local
    // issuer itself refuses to issue them)
    const key = JSON.parse(readFileSync(join(stack.dataDir, 'identity', 'signing-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
    const signing = await importJWK(key.privateJwk, 'ES256');
    const signed = (subject: string) =>
      new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer(stack.issuer).setAudience(stack.audience).setSubject(subject).setIssuedAt().setExpirationTime('10m').sign(signing);
    expect((await api('/dossiers?limit=1', { token: await signed('fuzz-well-formed') })).status).toBe(200);
    const start = await footprint();
    for (const subject of ['fuzz-' + 'a'.repeat(2100), 'fuzz-\u0000', 'fuzz-\u202e', 'fuzz-Nguyễn', `desk:${agencyId}:000.00.05.H37-990101-9999`, 'dvcqg']) {
      const answer = await api('/dossiers', { token: await signed(subject), body: enterpriseRegistration(7779) });
      expect(answer.status, `${JSON.stringify(subject.slice(0, 40))} -> ${answer.text}`).toBe(401);
      expect(answer.json.error.code).toBe('unauthorized');
    }
    expect(await footprint()).toBe(start);
  });
});
