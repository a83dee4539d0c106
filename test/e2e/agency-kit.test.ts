import { afterAll, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AgencyQueues } from '../../functions/adapters/agency-queues.js';
import { signedSqs } from '../../functions/adapters/sqs-client.js';
import { agencyMessage, type StoredEvent } from '../../functions/app/route-events.js';
import { AgencyApi, consumeQueue, EventIdMemory, parseAgencyMessage } from '../../kit/agency-client.js';
import { agencyQueueStatus, fauxqsOldestAge, moveDeadLetters } from '../../kit/queue-ops.js';
import { api, tokenFor } from '../support/api.js';
import { applicant, fileDossier } from '../support/dossiers.js';

/** An enterprise registers its labour rules (Sở LĐ-TB&XH): an agency whose code sequence no other test counts. */
const labourReport = (n: number) => ({ serviceId: '2.001955', applicant: applicant(n), fields: { enterpriseName: `Công ty TNHH Minh Phát ${n}`, employeeCount: 12 } });

/**
 * The agency kit against the run's stack. The queue used here belongs to an agency no other test
 * reads, so its messages are this file's alone; they are published by the same adapter RouteEvents uses.
 */
const stack = inject('localStack');
const agencyId = 'so-van-hoa-the-thao-va-du-lich';
const sqs = new SQSClient({});
const queues = new AgencyQueues(signedSqs(), stack.provinceId, stack.queueUrlBase);
const queueUrl = stack.agencyQueueUrls[agencyId]!;
afterAll(() => sqs.destroy());

function stored(code: string, eventId = randomUUID()): StoredEvent {
  const at = new Date().toISOString();
  return {
    eventId, type: 'dossier.submitted', dossierCode: code, version: 1, at, actor: { kind: 'citizen' }, from: null, to: 1, agencyId,
    dossier: {
      code, serviceId: '1.000001', serviceCode: '1.000001.000.00.00.H37', serviceName: 'Cấp giấy phép tổ chức biểu diễn nghệ thuật', agencyId,
      agencyCode: '000.00.20.H37', agencyName: 'Sở Văn hóa, Thể thao và Du lịch',
      channel: 'online', status: 1, version: 1, submittedAt: at, updatedAt: at,
    },
  };
}
// what the router reads from the dossier item: events carry no personal data
const personal = { applicant: { fullName: 'Lò Văn Minh', idNumber: '020090009999', phone: '0912000111', address: 'Lạng Sơn' }, fields: {} };
const publish = (event: StoredEvent) => queues.publish(agencyMessage(stack.provinceId, stack.apiUrl, event, personal));
const statusOf = async () => (await agencyQueueStatus(sqs, stack.provinceId, [agencyId], fauxqsOldestAge(stack.endpoints.sqs)))[0]!;

describe('the agency kit', () => {
  it('`npm run agency -- consume` prints each dossier once, deletes what it handled and leaves the queue empty', { timeout: 60_000 }, async () => {
    const codes = ['000.00.20.H37-260302-0001', '000.00.20.H37-260302-0002', '000.00.20.H37-260302-0003'];
    const first = stored(codes[0]!);
    for (const e of [first, stored(codes[1]!), stored(codes[2]!), first]) await publish(e);

    const run = await promisify(execFile)('npx', ['tsx', 'tools/agency.ts', 'consume', agencyId, '--once'], { env: process.env, timeout: 50_000 });

    for (const code of codes) expect(run.stdout.split('\n').filter((l) => l.includes(code) && l.includes('dossier.submitted'))).toHaveLength(1);
    expect(run.stdout).toContain('handled 3, duplicates 1, failed 0, unreadable 0');
    const after = await statusOf();
    expect(after).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 });
  });

  it('leaves a message it cannot handle for the redrive policy, and handles it once redriven after the fix', { timeout: 60_000 }, async () => {
    const poisoned = stored('000.00.20.H37-260302-0099');
    await publish(poisoned);
    const attempts: string[] = [];
    const broken = await consumeQueue({
      sqs, queueUrl, waitTimeSeconds: 1, retryAfterSeconds: 0, stopWhenIdle: 2,
      handle: async (m) => {
        attempts.push(m.eventId);
        throw new Error('the agency system rejects this dossier');
      },
    });
    expect(broken.failed).toBe(5); // maxReceiveCount, then SQS moved it to the dead-letter queue
    const parked = await statusOf();
    expect(parked).toMatchObject({ depth: 0, deadLetters: 1 });

    expect(await moveDeadLetters(sqs, stack.provinceId, agencyId)).toEqual({ kind: 'moved', moved: 1 });
    const handled: string[] = [];
    const fixed = await consumeQueue({ sqs, queueUrl, waitTimeSeconds: 1, stopWhenIdle: 1, seen: new EventIdMemory(), handle: async (m) => void handled.push(m.dossier.code) });
    expect(fixed.handled).toBe(1);
    expect(handled).toEqual([poisoned.dossierCode]);
    expect(await statusOf()).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 });
  });

  it('reads schemaVersion first and refuses what it does not know', () => {
    expect(parseAgencyMessage('{"schemaVersion":2}')).toEqual({ ok: false, reason: expect.stringContaining('schemaVersion 2') });
    expect(parseAgencyMessage('not json')).toMatchObject({ ok: false });
    expect(parseAgencyMessage(JSON.stringify(agencyMessage(stack.provinceId, stack.apiUrl, stored('C-1'), personal)))).toMatchObject({ ok: true });
  });

  it('acts back through the API with an official token, refused when the dossier moved on', async () => {
    const citizen = await tokenFor('citizen', { subject: 'kit-citizen' });
    const { code } = await fileDossier((p, i) => api(p, i), citizen, labourReport(601));
    const official = new AgencyApi(stack.apiUrl, await tokenFor('official', { agencyId: 'so-lao-dong-thuong-binh-va-xa-hoi' }));
    expect((await official.act(code, { action: 'receive', expectedVersion: 1 })).status).toBe(200);
    expect((await official.act(code, { action: 'start-processing', expectedVersion: 1 })).status).toBe(409);
    expect(((await official.dossier(code)).body as { status: { code: number } }).status.code).toBe(2);
  });
});
