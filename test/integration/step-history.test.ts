import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { DossierRepository } from '../../functions/adapters/dossier-repository.js';
import { DynamoHttpError } from '../../functions/adapters/dynamo-http.js';
import { PaymentRepository, paymentKeys } from '../../functions/adapters/payment-repository.js';
import type { Payment } from '../../functions/domain/payments.js';
import { dossierItem, keys } from '../../functions/adapters/dossier-items.js';
import { eventItem } from '../../functions/adapters/event-item.js';
import type { DynamoTable } from '../../functions/adapters/dynamo-table.js';
import { environment } from '../../functions/declaration.js';
import type { DossierEvent } from '../../functions/domain/dossier.js';
import { AppError } from '../../functions/domain/errors.js';
import type { StatusCode } from '../../functions/domain/status.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { isSteppedDossierRecord, startStreamPoller, type StreamHandler } from '../../local/streams.js';
import { sleep, type Logger } from '../../local/support.js';
import { useKeyTable } from '../support/key-table.js';

/**
 * A workflow step is the dossier item alone, carrying its event, then the event's history item in a
 * write of its own (functions/adapters/dossier-repository.ts, saveTransition); RecordHistory writes a
 * history item that a step never got to write from the dossier item's stream record. On a table of its
 * own with its stream, so the run's consumers see none of it.
 */
const table = useKeyTable('step-history', { stream: true });
// RecordHistory writes to the table its function is given
process.env[environment.tableName] = table.name;
const stack = inject('localStack');
const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: table.credentials });
afterAll(() => streams.destroy());

const at = (minute: number) => `2026-12-03T0${Math.floor(minute / 60) + 2}:${String(minute % 60).padStart(2, '0')}:00.000Z`;

function dossierAt(code: string, version: number, status: StatusCode): WorkflowDossier {
  return {
    code, serviceId: '2.001610', serviceCode: '2.001610.000.00.00.H37', serviceName: 'Đăng ký thành lập doanh nghiệp', agencyId: 'so-khdt', agencyCode: '000.00.14.H37',
    agencyName: 'Sở Kế hoạch và Đầu tư', applicantSubject: 'citizen-history', applicant: { fullName: 'Lê Văn Cường', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' },
    fields: { enterpriseName: 'Công ty TNHH Lịch sử' }, channel: 'online', status, version, submittedAt: at(0), updatedAt: at(version),
  };
}

const eventAt = (code: string, version: number, from: StatusCode | null, to: StatusCode): DossierEvent => ({
  eventId: randomUUID(), type: `step-${version}`, dossierCode: code, version, at: at(version), actor: { kind: 'official', subject: 'official-1', agencyId: 'so-khdt' }, from, to, agencyId: 'so-khdt',
});

/** A submitted dossier (version 1) with its first event, as submission writes them. */
async function submitted(): Promise<{ code: string; repo: DossierRepository }> {
  const code = `000.00.14.H37-261203-${String(Math.floor(Math.random() * 90000) + 10000)}`;
  const d = dossierAt(code, 1, 1);
  await dynamo().put({ TableName: table.name, Item: dossierItem(d) });
  await dynamo().put({ TableName: table.name, Item: eventItem(keys.event(code, 1), eventAt(code, 1, null, 1), d) });
  return { code, repo: new DossierRepository(dynamo(), table.name) };
}

/**
 * The table client, naming each write it sends (`put DOSSIER`, `put EVENT#000002`), and failing those
 * `cut` says to: with its error, or as if the process died there (sent, and never answered).
 */
function watched(sent: string[], cut: (sk: string, n: number) => Error | boolean = () => false): DynamoTable {
  const db = dynamo();
  let n = 0;
  return {
    ...db,
    put: async (input) => {
      const sk = String(input.Item?.sk);
      sent.push(`put ${sk}`);
      const failure = cut(sk, n++);
      if (failure instanceof Error) throw failure;
      if (failure) throw new Error('the process died here');
      return db.put(input);
    },
    transactWrite: (input) => (sent.push('transactWrite'), db.transactWrite(input)),
  };
}

const eventKeysOf = async (code: string) =>
  ((await dynamo().query({ TableName: table.name, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': keys.dossier(code).pk, ':sk': 'EVENT#' }, ConsistentRead: true })).Items ?? []).map((i) => String(i.sk));

describe('a workflow step against DynamoDB Local', () => {
  it('is a conditional write of the dossier carrying its event, then the event, and no transaction', async () => {
    // Prepare
    const { code } = await submitted();
    const sent: string[] = [];
    const repo = new DossierRepository(watched(sent), table.name);
    const found = await repo.get(code);
    const event = eventAt(code, 2, 1, 2);

    // Act
    await repo.saveTransition(1, dossierAt(code, 2, 2), event, found);

    // Assess
    expect(sent).toEqual(['put DOSSIER', 'put EVENT#000002']);
    const after = await repo.get(code);
    expect(after?.history.map((e) => e.eventId)).toEqual([found!.history[0]!.eventId, event.eventId]);
    expect(after?.unrecorded).toBeUndefined();
    expect(after?.dossier).not.toHaveProperty('lastEvent');
    const item = (await dynamo().get({ TableName: table.name, Key: keys.dossier(code), ConsistentRead: true })).Item;
    expect(item?.lastEvent).toMatchObject({ eventId: event.eventId, version: 2 });
  });

  it('of two steps on the version read, stores one and refuses the other with 409 and the state that won, writing nothing of it', async () => {
    // Prepare
    const { code, repo } = await submitted();
    const found = await repo.get(code);
    const receive = eventAt(code, 2, 1, 2);
    const refuse = eventAt(code, 2, 1, 3);

    // Act
    const outcomes = await Promise.allSettled([repo.saveTransition(1, dossierAt(code, 2, 2), receive, found), repo.saveTransition(1, dossierAt(code, 2, 3), refuse, found)]);

    // Assess
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(AppError);
    const after = await repo.get(code);
    expect(refused[0]!.reason).toMatchObject({ kind: 'conflict', code: 'version_conflict', details: { status: after!.dossier.status, version: 2 } });
    const winner = after!.dossier.status === 2 ? receive : refuse;
    expect(after?.history.map((e) => e.eventId)).toEqual([found!.history[0]!.eventId, winner.eventId]);
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001', 'EVENT#000002']);
  });

  it('cut off before its event is written, still answers; the dossier shows the event, and the next step writes it first', async () => {
    // Prepare: the process "dies" at the event's write of step 2
    const { code } = await submitted();
    const sent: string[] = [];
    const cutRepo = new DossierRepository(watched(sent, (sk) => sk === 'EVENT#000002'), table.name);
    const receive = eventAt(code, 2, 1, 2);
    await cutRepo.saveTransition(1, dossierAt(code, 2, 2), receive, await cutRepo.get(code));
    sent.length = 0;
    const repo = new DossierRepository(watched(sent), table.name);

    // Act
    const read = await repo.get(code);
    const start = eventAt(code, 3, 2, 4);
    await repo.saveTransition(2, dossierAt(code, 3, 4), start, read);

    // Assess: read before the repair, the history has the step from the dossier item
    expect(read?.history.map((e) => e.version)).toEqual([1, 2]);
    expect(read?.unrecorded?.eventId).toBe(receive.eventId);
    // the missing item is written before the next step, so history items are inserted in version order
    expect(sent).toEqual(['put EVENT#000002', 'put DOSSIER', 'put EVENT#000003']);
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001', 'EVENT#000002', 'EVENT#000003']);
    const after = await repo.get(code);
    expect(after?.history.map((e) => e.eventId)).toEqual([read!.history[0]!.eventId, receive.eventId, start.eventId]);
    expect(after?.unrecorded).toBeUndefined();
  });
});

describe('a write that meets a transaction in progress on the dossier', () => {
  const conflict = () => new DynamoHttpError('TransactionConflictException', 'Transaction is ongoing for the item', 400, false);

  it('is sent again, and the step is stored once', async () => {
    // Prepare: the dossier's first write meets a transaction (a sweeper mark, a payment) in progress
    const { code } = await submitted();
    const sent: string[] = [];
    const repo = new DossierRepository(watched(sent, (sk, n) => (n === 0 && sk === 'DOSSIER' ? conflict() : false)), table.name);
    const event = eventAt(code, 2, 1, 2);

    // Act
    await repo.saveTransition(1, dossierAt(code, 2, 2), event, await repo.get(code));

    // Assess
    expect(sent).toEqual(['put DOSSIER', 'put DOSSIER', 'put EVENT#000002']);
    expect((await repo.get(code))?.history.map((e) => e.eventId)).toContain(event.eventId);
  });

  it('answers 503 with Retry-After once the request has no time left, and stores nothing', async () => {
    // Prepare
    const { code } = await submitted();
    const repo = new DossierRepository(watched([], (sk) => (sk === 'DOSSIER' ? conflict() : false)), table.name);

    // Act / Assess
    await expect(repo.saveTransition(1, dossierAt(code, 2, 2), eventAt(code, 2, 1, 2))).rejects.toMatchObject({ kind: 'unavailable', code: 'busy', details: { retryAfterSeconds: 2 } });
    expect((await repo.get(code))?.dossier.version).toBe(1);
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001']);
  }, 20_000);

  it('whose answer was lost, but which landed: the retry finds the step stored and does not answer 409', async () => {
    // Prepare: the first write lands, its answer is lost (a timeout)
    const { code } = await submitted();
    const db = dynamo();
    let first = true;
    const lossy: DynamoTable = {
      ...db,
      put: async (input) => {
        const answer = await db.put(input);
        if (first && input.Item?.sk === 'DOSSIER') {
          first = false;
          throw new DynamoHttpError('TimeoutError', 'no answer in time', undefined, true);
        }
        return answer;
      },
    };
    const repo = new DossierRepository(lossy, table.name);
    const event = eventAt(code, 2, 1, 2);

    // Act
    await repo.saveTransition(1, dossierAt(code, 2, 2), event, await repo.get(code));

    // Assess
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001', 'EVENT#000002']);
    expect((await repo.get(code))?.dossier.version).toBe(2);
  });
});

describe('a sweeper mark on a step whose event was cut off', () => {
  it("writes the step's event before the mark, so history items stay in version order", async () => {
    // Prepare: step 2 cut off before its event
    const { code } = await submitted();
    const stepped = dossierAt(code, 2, 2);
    await new DossierRepository(watched([], (sk) => sk === 'EVENT#000002'), table.name).saveTransition(1, stepped, eventAt(code, 2, 1, 2));
    const sent: string[] = [];
    const repo = new DossierRepository(watched(sent), table.name);
    const marked = { ...stepped, overdueAt: at(30) };

    // Act
    await repo.saveMark(stepped, 'overdueAt', { ...eventAt(code, 2, 2, 2), type: 'dossier.overdue' }, marked);

    // Assess
    expect(sent).toEqual(['put EVENT#000002', 'transactWrite']);
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001', 'EVENT#000002', 'EVENT#000002#MARK#overdueAt']);
  });
});

describe('a payment settled on a step whose event was cut off', () => {
  it("writes the step's event before the payment's transaction", async () => {
    // Prepare: step 2 (a payment requested) cut off before its event; the payment is open
    const { code } = await submitted();
    const stepped = dossierAt(code, 2, 6);
    await new DossierRepository(watched([], (sk) => sk === 'EVENT#000002'), table.name).saveTransition(1, stepped, eventAt(code, 2, 2, 6));
    const ref = `REF${randomUUID().slice(0, 8)}`;
    const payment = { ref, dossierCode: code, agencyId: 'so-khdt', serviceId: '2.001610', purpose: 'processing', gateway: 'paygov', amountVnd: 50_000, lines: [], payer: {}, status: 'initiated', initiatedAt: at(10), payBy: at(40), payUrl: 'https://pay.example/x' } as unknown as Payment;
    await dynamo().put({ TableName: table.name, Item: { ...paymentKeys.payment(code, ref), entity: 'payment', ...payment } });
    const sent: string[] = [];
    const payments = new PaymentRepository(watched(sent), table.name);

    // Act
    await payments.settle('initiated', { ...payment, status: 'paid', paidAt: at(20) }, { id: randomUUID(), at: at(20), gateway: 'paygov', ref, source: 'notification', verdict: 'paid' }, {
      expectedVersion: 2,
      dossier: dossierAt(code, 3, 4),
      event: eventAt(code, 3, 6, 4),
    });

    // Assess
    expect(sent).toEqual(['put EVENT#000002', 'transactWrite']);
    expect(await eventKeysOf(code)).toEqual(['EVENT#000001', 'EVENT#000002', 'EVENT#000003']);
  });
});

describe('RecordHistory, fed by the local stream poller', () => {
  it("writes the history item a cut-off step did not, from the dossier item's stream record, as the step would have", async () => {
    // Prepare: one step cut off before its event, one step complete
    const { code: cut } = await submitted();
    const { code: whole } = await submitted();
    await new DossierRepository(watched([], (sk) => sk === 'EVENT#000002'), table.name).saveTransition(1, dossierAt(cut, 2, 2), eventAt(cut, 2, 1, 2));
    const wholeRepo = new DossierRepository(dynamo(), table.name);
    await wholeRepo.saveTransition(1, dossierAt(whole, 2, 2), eventAt(whole, 2, 1, 2));
    const wholeEvent = (await dynamo().get({ TableName: table.name, Key: keys.event(whole, 2), ConsistentRead: true })).Item;
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-step-history-'));
    const delivered: string[] = [];
    const { handler } = await import('../../functions/handlers/record-history.js');
    const silent: Logger = { info: () => undefined, error: () => undefined };
    const poller = startStreamPoller({
      consumer: { id: 'record-history-test', batchSize: 25, maxRetries: 2 },
      handler: async (): Promise<StreamHandler> => async (event, context) => {
        delivered.push(...event.Records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk?.S} ${r.dynamodb?.Keys?.sk?.S}`));
        return handler(event, context);
      },
      streams,
      streamArn: table.streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      filter: isSteppedDossierRecord,
      pollIntervalMs: 50,
    });

    // Act
    const deadline = Date.now() + 15_000;
    while (!(await eventKeysOf(cut)).includes('EVENT#000002') && Date.now() < deadline) await sleep(100);
    await poller.stop();
    rmSync(dataDir, { recursive: true, force: true });

    // Assess: only the two steps' dossier records reached it (not the submissions, nor any event item)
    expect(delivered.filter((d) => d.includes(cut) || d.includes(whole)).sort()).toEqual([`MODIFY DOSSIER#${cut} DOSSIER`, `MODIFY DOSSIER#${whole} DOSSIER`].sort());
    expect(await eventKeysOf(cut)).toEqual(['EVENT#000001', 'EVENT#000002']);
    const written = (await dynamo().get({ TableName: table.name, Key: keys.event(cut, 2), ConsistentRead: true })).Item;
    const { eventId: _e, dossierCode: _c, pk: _p, dossier: wholeView, ...wholeRest } = wholeEvent!;
    const { eventId: _e2, dossierCode: _c2, pk: _p2, dossier: cutView, ...cutRest } = written!;
    // the same item a step writes: the event and the dossier's view (no personal data)
    expect(cutRest).toEqual(wholeRest);
    expect({ ...(cutView as object), code: 'x' }).toEqual({ ...(wholeView as object), code: 'x' });
    expect(JSON.stringify(written)).not.toContain('020090001234');
    // the complete step's item is untouched
    expect((await dynamo().get({ TableName: table.name, Key: keys.event(whole, 2), ConsistentRead: true })).Item).toEqual(wholeEvent);
  });
});
