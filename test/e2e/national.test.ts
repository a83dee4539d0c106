import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import type { ReceivedCall } from '../../local/national-portal.js';
import { writeGeneratedWorkbook } from '../../provinces/catalog/generate.js';
import { importCatalog } from '../../provinces/catalog/store.js';
import { loadProvince } from '../../provinces/load.js';
import { nationalSyncDeps } from '../../functions/adapters/national-deps.js';
import { reconcile } from '../../functions/app/national-sync.js';
import { syncKeys } from '../../functions/adapters/sync-state.js';
import { applicant, collectAgencyMessages, enterpriseRegistration, fileDossier } from '../support/dossiers.js';
import { apiAt } from '../support/api.js';

/**
 * The national systems end to end, on a stack of this file's own: a province-sized imported catalog
 * (2,000 procedures, 231 agencies), and the simulated national portal the sync consumer reports to.
 */
let stack: LocalStack;
let work: string;
let db: DynamoDBDocumentClient;
const agencyId = 'so-ke-hoach-va-dau-tu';
const call: ReturnType<typeof apiAt> = (path, init) => apiAt(stack.apiUrl)(path, init);
const token = async (role: string, extra: Record<string, string> = {}) => (await call('/local/token', { body: { role, ...extra } })).json.token as string;
const portal = async (path: string, body?: unknown) => {
  const response = await fetch(`${stack.nationalPortal.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as any }; // `any`: read field by field below
};

/** The statuses the portal was told for one dossier, in the order it was told. */
const toldStatuses = (code: string) =>
  stack.nationalPortal
    .received()
    .filter((c: ReceivedCall) => c.service === 'DongBoHoSoMC' && c.answer === 0)
    .flatMap((c) => c.data.filter((d) => d.MaHoSo === code).map((d) => Number(d.TrangThaiHoSo)));

async function until<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'motcua-national-'));
  const province = loadProvince('lang-son');
  const file = join(work, 'catalog.xlsx');
  await writeGeneratedWorkbook(file, { province, procedures: 2000, agencies: 200 });
  const imported = await importCatalog({ file, province, outDir: join(work, 'catalog'), now: new Date() });
  if (!imported.ok) throw new Error('the generated catalog did not import');
  stack = await startLocalStack({ dataDir: join(work, 'data'), ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0 }, quiet: true, catalogDir: join(work, 'catalog') });
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
}, 180_000);

afterAll(async () => {
  db?.destroy();
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a province-sized catalog', { timeout: 120_000 }, () => {
  it('is searched with or without accents, and answers one procedure from its own file', async () => {
    const plain = await call('/services?q=giay%20phep%20moi%20truong');
    const accented = await call(`/services?q=${encodeURIComponent('giấy phép môi trường')}`);
    expect(plain.status).toBe(200);
    expect(plain.json.total).toBeGreaterThan(10);
    expect(accented.json.total).toBe(plain.json.total);
    const all = await call('/services?limit=500&offset=0');
    expect(all.json.total).toBe(2000 + 36);
    expect(all.json.items).toHaveLength(500);
    // 200 imported + the province file's 31, less its 11 district agencies abolished on 1 July 2025: the list shows current ones
    expect((await call('/agencies')).json.items).toHaveLength(200 + 31 - 11);

    const imported = (await call('/services?tier=province&level=4&q=thu%20tuc%20so')).json.items[0];
    const detail = await call(`/services/${imported.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ id: imported.id, level: 4, fullyOnline: true });
    expect(detail.json.documents.length).toBeGreaterThan(0);
    expect(detail.json.agencies).toHaveLength(1);
  });
});

describe('dossier sync with the national portal', { timeout: 120_000 }, () => {
  it('reports creation and every status change in order', async () => {
    const citizen = await token('citizen', { subject: 'national-sync' });
    const official = await token('official', { agencyId });
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(31));
    for (const action of ['receive', 'start-processing', 'finish', 'return']) {
      expect((await call(`/dossiers/${code}/actions`, { token: official, body: { action } })).status).toBe(200);
    }
    expect(await until('statuses told to the portal', () => toldStatuses(code), (s) => s.length >= 5)).toEqual([1, 2, 4, 9, 10]);
    // the dossier and its progress are two calls to the portal: wait for the progress of the last status too
    const seen = await until('progress told to the portal', async () => (await portal('/received')).json, (r) => (r.progress[code]?.length ?? 0) >= 4);
    expect(seen.dossiers[code]).toMatchObject({ MaHoSo: code, MaTTHC: '2.001610', KenhThucHien: 2, TrangThaiHoSo: 10 });
    expect(seen.dossiers[code].NgayTiepNhan).toMatch(/^\d{14}$/);
    expect(seen.progress[code].map((p: { TrangThai: number }) => p.TrangThai)).toEqual([2, 4, 9, 10]);
  });

  it('loses nothing and keeps the order through a portal outage (5xx, then timeouts)', async () => {
    const citizen = await token('citizen', { subject: 'national-outage' });
    const official = await token('official', { agencyId });
    await portal('/control', { mode: 'error', status: 503 });
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(32));
    for (const action of ['receive', 'start-processing']) await call(`/dossiers/${code}/actions`, { token: official, body: { action } });
    // while the portal is down, the sync state knows the portal is behind
    const behind = await until(
      'the sync state during the outage',
      async () => (await db.send(new GetCommand({ TableName: stack.tableName, Key: syncKeys.state(code), ConsistentRead: true }))).Item,
      (s) => Number(s?.failures ?? 0) >= 1,
    );
    expect(behind?.syncedVersion).toBeUndefined();
    await portal('/control', { mode: 'timeout', count: 2 });
    await new Promise((r) => setTimeout(r, 1000));
    await call(`/dossiers/${code}/actions`, { token: official, body: { action: 'finish' } });
    await portal('/control', { mode: 'ok' });
    expect(await until('statuses after the outage', () => toldStatuses(code), (s) => s.length >= 4, 60_000)).toEqual([1, 2, 4, 9]);
    await until(
      'the sync state after the outage',
      async () => (await db.send(new GetCommand({ TableName: stack.tableName, Key: syncKeys.state(code), ConsistentRead: true }))).Item,
      (s) => s?.syncedVersion === 4 && s?.gsi1pk === undefined,
    );
  });

  it('reconciles: a dossier the portal is behind on is listed, sent again with what it missed, and counted in sync', async () => {
    const citizen = await token('citizen', { subject: 'national-reconcile' });
    const official = await token('official', { agencyId });
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(33));
    await call(`/dossiers/${code}/actions`, { token: official, body: { action: 'receive' } });
    await until('synced', () => toldStatuses(code), (s) => s.length >= 2);
    await until(
      'sync state',
      async () => (await db.send(new GetCommand({ TableName: stack.tableName, Key: syncKeys.state(code), ConsistentRead: true }))).Item?.syncedVersion,
      (v) => v === 2,
    );
    // as after a batch that went to the dead-letter queue: the state says the portal has only version 1
    await db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: syncKeys.state(code),
        UpdateExpression: 'SET syncedVersion = :one, syncedStatus = :one, gsi1pk = :pk, gsi1sk = :sk',
        ExpressionAttributeValues: { ':one': 1, ':pk': `DVCQG#UNSYNCED#${(await import('../../functions/domain/statistics.js')).shardOf(code, 10)}`, ':sk': `x#${code}` },
      }),
    );
    const before = stack.nationalPortal.received().length;
    const statsBehind = await call('/stats');

    const listed = await reconcile(await nationalSyncDeps(), { resend: false });
    expect(listed.divergent.map((d) => d.code)).toContain(code);
    expect(listed.divergent.find((d) => d.code === code)).toMatchObject({ status: 2, syncedStatus: 1 });
    expect(stack.nationalPortal.received().length).toBe(before);

    const fixed = await reconcile(await nationalSyncDeps(), { resend: true });
    expect(fixed.resent).toBeGreaterThanOrEqual(1);
    const after = stack.nationalPortal.received().slice(before);
    expect(after.find((c) => c.service === 'DongBoHoSoMC' && c.data.some((d) => d.MaHoSo === code))?.data[0]).toMatchObject({ TrangThaiHoSo: 2 });
    expect(after.find((c) => c.service === 'CapNhatTienDoHoSoMC' && c.data.some((d) => d.MaHoSo === code))?.data.map((d) => d.TrangThai)).toEqual([2]);
    const again = await reconcile(await nationalSyncDeps(), { resend: false });
    expect(again.divergent.map((d) => d.code)).not.toContain(code);
    expect(again.dossiers).toBeGreaterThanOrEqual(3);
    expect(again.shareInSync).toBe(100);
    // GET /stats reports the same share from the same sync state: below 100 while the portal was behind
    expect(statsBehind.status).toBe(200);
    expect(statsBehind.json.nationalSync.notInSync).toBeGreaterThanOrEqual(1);
    expect(statsBehind.json.nationalSync.shareInSync).toBeLessThan(100);
    const statsAfter = await call('/stats');
    expect(statsAfter.json.nationalSync).toEqual({ total: again.dossiers, inSync: again.dossiers, notInSync: 0, shareInSync: 100 });
    expect((await call('/stats?scope=agency:so-ke-hoach-va-dau-tu')).json.nationalSync).toBeUndefined();
  });
});

describe('a dossier submitted on the national portal', { timeout: 120_000 }, () => {
  it('enters intake once per national code and reaches its agency queue once', async () => {
    const submission = { nationalCode: 'G22.99-260101-000777', serviceId: '2.001610', applicant: applicant(34), fields: enterpriseRegistration(34).fields };
    const first = await portal('/push', submission);
    const second = await portal('/push', submission);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.code).toBe(first.json.code);
    const code = first.json.code as string;

    const unsigned = await call('/national/dossiers', { body: { ...submission, nationalCode: 'G22.99-260101-000778' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.code).toBe('unauthorized');

    const messages = await collectAgencyMessages(stack.agencyQueueUrls[agencyId]!, [code]);
    expect(messages.get(code)?.map((m) => m.type)).toEqual(['dossier.submitted']);
    const item = await db.send(new GetCommand({ TableName: stack.tableName, Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' } }));
    expect(item.Item).toMatchObject({ origin: 'dvcqg', nationalCode: submission.nationalCode, channel: 'online', agencyId });
    // and it is reported back to the portal like any other dossier
    expect(await until('inbound dossier synced', () => toldStatuses(code), (s) => s.length >= 1)).toEqual([1]);
  });
});
