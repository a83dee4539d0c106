import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { DocumentRepository } from '../../functions/adapters/document-repository.js';
import { DocumentUrls } from '../../functions/adapters/document-urls.js';
import { objectKey, type DocumentRecord } from '../../functions/domain/documents.js';
import { startBucketEventDelivery } from '../../local/bucket-events.js';
import { startLocalS3 } from '../../local/s3.js';
import { sleep, type Logger } from '../../local/support.js';
import { renamedElf, samplePdf, samplePng } from '../support/files.js';

const stack = inject('localStack');
const repo = new DocumentRepository(dynamo(), stack.tableName);
const urls = new DocumentUrls(stack.bucketName);
const raw = new S3Client({ region: stack.region, endpoint: stack.endpoints.s3, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
const quiet: Logger = { info: () => undefined, error: () => undefined } as unknown as Logger;

afterAll(() => raw.destroy());

function slot(code: string, overrides: Partial<DocumentRecord> = {}): DocumentRecord {
  const id = randomUUID();
  return {
    id,
    dossierCode: code,
    kind: 'application',
    component: 'to-khai',
    fileName: 'tờ khai.pdf',
    objectKey: objectKey(code, 'to-khai', id),
    declaredType: 'application/pdf',
    declaredSize: samplePdf.length,
    allowedTypes: ['application/pdf'],
    maxSizeBytes: 4096,
    status: 'pending',
    uploadedBy: { kind: 'citizen', subject: 'integration-citizen' },
    uploadedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 1800,
    ...overrides,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const exists = (key: string) =>
  raw.send(new HeadObjectCommand({ Bucket: stack.bucketName, Key: key })).then(
    () => true,
    () => false,
  );

describe('the verifier on the local stack (s3rver events, DynamoDB Local)', () => {
  it('verifies a PUT through a presigned URL, then rejects and quarantines a second PUT to the same URL', async () => {
    const record = slot(`IT.${Date.now()}-1`);
    await repo.putSlot(record);
    const url = await urls.presignPut(record.objectKey, 600, record.declaredSize);
    expect((await fetch(url, { method: 'PUT', body: samplePdf })).status).toBe(200);
    const verified = await until('verified', async () => {
      const r = await repo.get(record.dossierCode, record.id);
      return r?.status === 'verified' ? r : undefined;
    });
    expect(verified).toMatchObject({ actualSize: samplePdf.length, actualType: 'application/pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verified.expiresAt).toBeUndefined();

    // The URL is still valid for a while: what it writes next is judged again, not trusted.
    expect((await fetch(url, { method: 'PUT', body: renamedElf })).status).toBe(200);
    const rejected = await until('rejected', async () => {
      const r = await repo.get(record.dossierCode, record.id);
      return r?.status === 'rejected' ? r : undefined;
    });
    expect(rejected.reason).toContain('ELF');
    expect(await exists(record.objectKey)).toBe(false);
    expect(await exists(`rejected/${record.objectKey}`)).toBe(true);
  });

  it('quarantines an object under dossiers/ that no slot accounts for', async () => {
    const key = objectKey(`IT.${Date.now()}-2`, 'to-khai', randomUUID());
    await raw.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: key, Body: samplePng }));
    await until('quarantine', async () => ((await exists(`rejected/${key}`)) ? true : undefined));
    expect(await exists(key)).toBe(false);
  });

  it('serves a presigned GET with the stored bytes', async () => {
    const record = slot(`IT.${Date.now()}-3`);
    await repo.putSlot(record);
    await fetch(await urls.presignPut(record.objectKey, 600, record.declaredSize), { method: 'PUT', body: samplePdf });
    await until('verified', async () => ((await repo.get(record.dossierCode, record.id))?.status === 'verified' ? true : undefined));
    const answer = await fetch(await urls.presignGet(record.objectKey, 60, { fileName: record.fileName, contentType: 'application/pdf' }));
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).equals(samplePdf)).toBe(true);
  });
});

describe('bucket event delivery from s3rver', () => {
  it('hands ObjectCreated under the prefix to the consumer as S3 sends it: key URL-encoded, one record, the runtime region', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-s3events-'));
    const s3 = await startLocalS3({ port: 0, dataDir });
    const client = new S3Client({ region: 'ap-southeast-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const seen: S3Event[] = [];
    let failures = 1;
    const delivery = startBucketEventDelivery({
      consumers: [{ id: 'V', entry: 'x.ts', source: { kind: 'bucket-created', prefix: 'dossiers/' }, grants: {}, summary: 's' }],
      handler: async () => async (event: S3Event) => {
        // the first attempt fails, as a throttled Lambda would: the event must come again
        if (failures-- > 0) throw new Error('transient');
        seen.push(event);
      },
      subscribe: (listener) => s3.onEvent(listener),
      bucket: 'events-test',
      region: 'ap-southeast-1',
      provinceId: 'p',
      logger: quiet,
      retryDelayMs: 1,
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'events-test' }));
      await client.send(new PutObjectCommand({ Bucket: 'events-test', Key: 'dossiers/A 1/x+y', Body: 'a' }));
      await client.send(new PutObjectCommand({ Bucket: 'events-test', Key: 'elsewhere/z', Body: 'b' }));
      await delivery.idle();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.Records).toHaveLength(1);
      expect(seen[0]!.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Put', awsRegion: 'ap-southeast-1', s3: { bucket: { name: 'events-test' }, object: { key: 'dossiers/A+1/x%2By', size: 1 } } });
    } finally {
      await delivery.stop();
      client.destroy();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
