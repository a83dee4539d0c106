import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, test } from 'vitest';
import { buildBundle, initEnvironment } from '../../bench/bundles.js';
import { consumers, routes } from '../../functions/declaration.js';
import { addMotcua } from '../../lib/app.js';
import { buildOpenApi } from '../../functions/http/openapi.js';
import { httpEvent } from '../fixtures/events.js';
import { loadProvince } from '../../provinces/load.js';
import { testContext } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'motcua-bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packagesOf = (metafile: Awaited<ReturnType<typeof buildBundle>>): Set<string> =>
  new Set(
    Object.keys(metafile.inputs)
      .map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1])
      .filter((name): name is string => name !== undefined),
  );

/** Runs a bundled function on one event in a process of its own, as Lambda would: nothing of the test is loaded there. */
async function invokeBundled(id: string, event: unknown): Promise<{ statusCode: number; body: string }> {
  const outfile = join(dir, `${id}-run.mjs`);
  await buildBundle(routes.find((r) => r.id === id)!.entry, outfile);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const context = "{ getRemainingTimeInMillis: () => 10000, awsRequestId: 'r', functionName: 'f' }";
  const script = `const { handler } = await import(${JSON.stringify(`file://${outfile}`)}); process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, ${context})));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...initEnvironment, LOG_LEVEL: 'SILENT' }, encoding: 'utf8' });
  return JSON.parse(out) as { statusCode: number; body: string };
}

/**
 * Ceilings that catch a regression (an import that drags a client, other routes' contracts or a whole
 * library back in): about 8% above the largest of each group when they were set. The targets themselves
 * are in `npm run bench`.
 */
const group = (ids: readonly string[], kb: number) => Object.fromEntries(ids.map((id) => [id, kb]));
const ceilingKb: Readonly<Record<string, number>> = {
  ...group(['ListServices', 'GetService', 'ListAgencies'], 100),
  OpenApi: 165,
  // 8% above would pass the public reads' budget (120 KB): the budget is the ceiling
  ...group(['GetStats', 'RankAgencies'], 120),
  ...group(['UploadDocument', 'CancelDocument', 'SubmitDossier', 'UploadResult', 'GetResult', 'GetDocument'], 290),
  ...group(['PaymentNotification', 'PaymentNotificationQuery'], 300),
  GetPaymentReceipt: 287,
  VerifyDocuments: 254,
  ...group(['NotifyEvents', 'SendDigests'], 229),
  ...group(['RouteEvents', 'RecordRefunds'], 220),
  RecordHistory: 205,
  CountEvents: 233,
  ...group(['DeadlineSweeper', 'SyncNational', 'ReconcileNational'], 271),
};
/**
 * The functions that keep Lambda's active tracing only: the public reads, whose budget (120 KB) the X-Ray
 * SDK alone would nearly fill, and the OpenAPI document, which makes no AWS call to trace.
 */
const untraced = ['ListServices', 'GetService', 'ListAgencies', 'GetStats', 'RankAgencies', 'OpenApi'];
/** clients no function bundles: their calls are signed without them */
const signedNotClients = ['@aws-sdk/client-sqs', '@aws-sdk/client-s3', '@aws-sdk/client-sesv2', '@aws-sdk/client-sns', '@aws-sdk/client-secrets-manager'];
/** the dossier and payment routes, the national intake and the payment reconciliation (8% above would pass the 300 KB budget) */
const defaultCeilingKb = 300;

describe('function bundles', { timeout: 120_000 }, () => {
  test.each([...routes, ...consumers].map((f) => [f.id, f.entry] as const))('%s stays within its ceiling and carries no unused SDK parts, nor the clients of signed calls', async (id, entry) => {
    // Act
    const outfile = join(dir, `${id}.mjs`);
    const metafile = await buildBundle(entry, outfile);

    // Assess
    const packages = packagesOf(metafile);
    expect(statSync(outfile).size / 1024).toBeLessThanOrEqual(ceilingKb[id] ?? defaultCeilingKb);
    // the credential chain beyond the environment is replaced by a shim; PDFs are written without a PDF library
    expect(packages).not.toContain('@aws-sdk/credential-provider-node');
    expect(packages).not.toContain('@aws-sdk/nested-clients');
    // DynamoDB is reached with signed requests (functions/adapters/dynamo-http.ts), not the SDK's clients
    expect(packages).not.toContain('@aws-sdk/client-dynamodb');
    expect(packages).not.toContain('@aws-sdk/lib-dynamodb');
    expect(packages).not.toContain('pdfkit');
    expect(packages).not.toContain('fontkit');
    expect(packages).not.toContain('brotli');
    // SQS, S3, SES v2, SNS and Secrets Manager are called with requests signed by aws-call.ts
    expect([...packages].filter((p) => signedNotClients.includes(p))).toEqual([]);
    // Powertools Tracer and the X-Ray SDK where the function traces its calls (tracing.ts), without
    // semver, which only their AWS SDK v2 patcher uses (lib/bundling.ts, bundle-shims/semver.ts)
    const tracing = packages.has('@aws-lambda-powertools/tracer') && packages.has('aws-xray-sdk-core');
    expect(tracing).toBe(!untraced.includes(id));
    expect(packages).not.toContain('semver');
  });

  test('the catalog and statistics reads keep active tracing only, while a route and a consumer trace their AWS calls', async () => {
    const traced = async (entry: string, id: string): Promise<{ xray: boolean; hook: boolean }> => {
      const outfile = join(dir, `${id}-trace.mjs`);
      const packages = packagesOf(await buildBundle(entry, outfile));
      return { xray: packages.has('aws-xray-sdk-core') || packages.has('@aws-lambda-powertools/tracer'), hook: readFileSync(outfile, 'utf8').includes('call subsegment not opened') };
    };
    for (const id of ['ListServices', 'GetService', 'ListAgencies', 'GetStats', 'RankAgencies']) {
      expect(await traced(routes.find((r) => r.id === id)!.entry, id), id).toEqual({ xray: false, hook: false });
    }
    expect(await traced(routes.find((r) => r.id === 'CreateDossier')!.entry, 'CreateDossier')).toEqual({ xray: true, hook: true });
    expect(await traced(consumers.find((c) => c.id === 'RouteEvents')!.entry, 'RouteEvents')).toEqual({ xray: true, hook: true });
  });

  test('catalog reads bundle no AWS client at all', async () => {
    for (const id of ['ListServices', 'GetService', 'ListAgencies']) {
      const entry = routes.find((r) => r.id === id)!.entry;
      const packages = packagesOf(await buildBundle(entry, join(dir, `${id}-sdk.mjs`)));
      expect([...packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
    }
  });

  test('public statistics reads bundle the SigV4 signer, not the DynamoDB client', async () => {
    for (const id of ['GetStats', 'RankAgencies']) {
      const entry = routes.find((r) => r.id === id)!.entry;
      const packages = packagesOf(await buildBundle(entry, join(dir, `${id}-sdk.mjs`)));
      expect(packages).toContain('@smithy/signature-v4');
      expect(packages).not.toContain('@aws-sdk/client-dynamodb');
      expect(packages).not.toContain('@aws-sdk/lib-dynamodb');
    }
  });

  test('the router bundles the SigV4 signer and no SDK client at all', async () => {
    const packages = packagesOf(await buildBundle(consumers.find((c) => c.id === 'RouteEvents')!.entry, join(dir, 'RouteEvents-sdk.mjs')));
    expect(packages).toContain('@smithy/signature-v4');
    expect([...packages].filter((p) => p.startsWith('@aws-sdk/client-') || p === '@aws-sdk/lib-dynamodb')).toEqual([]);
  });

  test("a route bundles its own contract, not the other routes'", async () => {
    // Act
    const bundle = async (id: string): Promise<string> => {
      const outfile = join(dir, `${id}-own.mjs`);
      await buildBundle(routes.find((r) => r.id === id)!.entry, outfile);
      return readFileSync(outfile, 'utf8');
    };
    const [catalog, intake] = [await bundle('ListServices'), await bundle('CreateDossier')];

    // Assess: the submission (CreateDossier's body) and an official's step (ActOnDossier's), by their OpenAPI ids
    expect(catalog.includes('id:"Submission"')).toBe(false);
    expect(intake.includes('id:"Submission"')).toBe(true);
    expect(intake.includes('id:"Action"')).toBe(false);
    // and its own declaration, not every route's (paths and summaries of the others would be ~7 KB each)
    expect(intake.includes('"/dossiers/{code}/actions"')).toBe(false);
    expect(catalog.includes('"/dossiers"')).toBe(false);
    expect(catalog.includes('"/services"')).toBe(true);
  });

  test('the bundled OpenApi function answers the document the contracts describe, every component included', async () => {
    // Act
    const answer = await invokeBundled('OpenApi', httpEvent({ method: 'GET', path: '/openapi.json', routeKey: 'GET /openapi.json' }));

    // Assess
    const expected = buildOpenApi({ title: `motcua — ${loadProvince('lang-son').name}`, version: '1', serverUrl: initEnvironment.PUBLIC_BASE_URL });
    expect(JSON.parse(answer.body)).toEqual(expected);
  });

  test("a bundled route refuses in zod's English, which zod/mini does not load by itself", async () => {
    // Act
    const answer = await invokeBundled('ListServices', httpEvent({ method: 'GET', path: '/services', routeKey: 'GET /services', query: { tier: 'x'.repeat(41) } }));

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).error.details).toEqual([
      { field: 'query.tier', message: 'Too big: expected string to have <=40 characters', messageVi: 'Tối đa 40 ký tự.' },
    ]);
  });

  test('the stack bundles as the bench does: signed calls with role credentials from the environment, no SDK credential chain', () => {
    // Prepare: the verifier, which calls S3 and DynamoDB, bundled for real by NodejsFunction
    const app = new App({ context: { ...testContext, 'aws:cdk:bundling-stacks': ['**'] }, builtinCloudFormationValidation: false });
    addMotcua(app, { province: loadProvince('lang-son'), stage: 'prod', nag: false, routes: [], consumers: consumers.filter((c) => c.id === 'VerifyDocuments') });

    // Act
    const assembly = app.synth();

    // Assess
    const bundles = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'index.mjs')));
    expect(bundles).toHaveLength(1);
    const code = readFileSync(join(assembly.directory, bundles[0]!, 'index.mjs'), 'utf8');
    expect(code).toContain('a function reads its role credentials from the environment');
    expect(code).not.toContain('fromSSO');
    // and with the aliases of lib/bundling.ts: the X-Ray SDK without semver (its classes' messages), the shim instead
    expect(code).toContain('aws-xray-sdk-core');
    expect(code).not.toContain('Invalid comparator');
    expect(code).toContain('semver is not bundled');
  });
});
