import { randomUUID } from 'node:crypto';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, inject, it, vi } from 'vitest';
import { handler } from '../../functions/handlers/count-events.js';
import { eventItem } from '../../functions/adapters/event-item.js';
import { logger } from '../../functions/http/logger.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { lambdaContext } from '../../local/lambda.js';
import { streamRecord } from '../fixtures/events.js';

/**
 * A stream consumer logs each record's work under that record's dossier code (and event id), with the
 * invocation's Lambda context, and the keys do not outlive the record. CountEvents against the run's
 * table: a batch counted once and delivered again logs "already counted" once per record.
 */
const stack = inject('localStack');
let sequence = 2_000_000;

function record(code: string, serviceId: string): DynamoDBRecord {
  const at = '2032-01-05T01:00:00.000Z';
  const dossier: WorkflowDossier = {
    code, serviceId, serviceCode: 'c', serviceName: 'n', agencyId: 'so-ke-hoach-va-dau-tu', agencyCode: '000.00.05.H37', agencyName: 'Sở KH&ĐT',
    applicantSubject: 's', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {}, channel: 'online',
    status: 1, version: 1, submittedAt: at, updatedAt: at,
  };
  const item = eventItem({ pk: `DOSSIER#${code}`, sk: 'EVENT#000001' }, { eventId: randomUUID(), type: 'dossier.submitted', dossierCode: code, version: 1, at, actor: { kind: 'system' }, from: null, to: 1, agencyId: dossier.agencyId }, dossier);
  sequence += 1;
  return streamRecord(item, sequence, randomUUID());
}

describe('the log lines of a stream consumer', () => {
  it('carry the dossier code of the record being processed, and only while it is', async () => {
    // Prepare: two dossiers in one batch, counted once so that the redelivery logs for each
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const codes = [`000.00.05.H37-320105-${randomUUID().slice(0, 4)}`, `000.00.05.H37-320105-${randomUUID().slice(0, 4)}`];
    const batch = { Records: codes.map((c) => record(c, serviceId)) } as DynamoDBStreamEvent;
    const context = lambdaContext('CountEvents', 60_000, stack.region);
    const counted = (await handler(batch, context)) as DynamoDBBatchResponse;
    const lines: Record<string, unknown>[] = [];
    const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const ours = String(chunk)
        .split('\n')
        .filter((line) => line.includes('"already counted"') || line.includes('"after the batch"'));
      for (const line of ours) lines.push(JSON.parse(line) as Record<string, unknown>);
      return ours.length > 0 ? true : write(chunk, ...rest);
    });

    // the run logs warnings only; these lines are info
    const level = logger.getLevelName();
    logger.setLogLevel('INFO');

    // Act
    const again = (await handler(batch, context)) as DynamoDBBatchResponse;
    logger.info('after the batch');
    spy.mockRestore();
    logger.setLogLevel(level);

    // Assess
    expect([counted.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    const eventIds = batch.Records.map((r) => r.dynamodb!.NewImage!.eventId!.S);
    expect(lines.map((l) => [l.message, l.dossierCode, l.eventId])).toEqual([
      ['already counted', codes[0], eventIds[0]],
      ['already counted', codes[1], eventIds[1]],
      ['after the batch', undefined, undefined],
    ]);
    // the invocation's Lambda context is on the record's lines
    expect(lines[0]).toMatchObject({ function_name: context.functionName, function_request_id: context.awsRequestId });
  });
});
