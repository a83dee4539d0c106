import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildBundle } from '../../bench/bundles.js';
import { consumers, routes } from '../../functions/declaration.js';
import type { CountedEvent } from '../../functions/domain/statistics.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { citizenClaims, httpEvent, streamRecord } from '../fixtures/events.js';
import { applicant, enterpriseRegistration } from '../support/dossiers.js';

/**
 * Tracing as it runs in Lambda: the shipped bundles of two routes (built as the stack builds them, shims
 * included), each in a Node process of its own with the variables Lambda sets for an active trace, against
 * the run's DynamoDB Local. The X-Ray daemon is a UDP socket of this test, which reads every segment
 * document the X-Ray SDK streams to it.
 */

const stack = inject('localStack');
const execFileAsync = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'motcua-tracing-test-'));
const person = { ...applicant(7171), idNumber: '079188123456', phone: '0977123456', email: 'nguyen.van.an@example.vn' };

interface SegmentDocument {
  readonly id: string;
  readonly name: string;
  readonly trace_id: string;
  readonly parent_id?: string;
  readonly type?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, unknown>;
  readonly metadata?: unknown;
  readonly aws?: Record<string, unknown>;
  readonly http?: { response?: { status?: number } };
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly subsegments?: readonly SegmentDocument[];
}

let daemon: Socket;
let port = 0;
const datagrams: string[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  port = daemon.address().port;
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
});

afterAll(() => {
  daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A trace id as Lambda hands it to the function (Root, the facade segment's id as Parent, sampled). */
function lambdaTrace(): { root: string; parent: string; header: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const parent = randomBytes(8).toString('hex');
  return { root, parent, header: `Root=${root};Parent=${parent};Sampled=1` };
}

/** Runs one invocation of a function's bundle as Lambda would, with an active trace; returns its answer and what reached the daemon. */
async function invokeTraced(id: string, event: unknown): Promise<{ answer: APIGatewayProxyStructuredResultV2; trace: ReturnType<typeof lambdaTrace>; documents: SegmentDocument[]; raw: string[] }> {
  const outfile = join(dir, `${id}.mjs`);
  await buildBundle([...routes, ...consumers].find((f) => f.id === id)!.entry, outfile);
  const trace = lambdaTrace();
  const functionName = `motcua-${stack.provinceId}-${id}`;
  const context = `{ getRemainingTimeInMillis: () => 10000, awsRequestId: 'req-${id}', functionName: ${JSON.stringify(functionName)}, functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:${stack.region}:000000000000:function:${functionName}', memoryLimitInMB: '512' }`;
  const script = `const { handler } = await import(${JSON.stringify(`file://${outfile}`)}); process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, ${context})));`;
  const before = datagrams.length;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      ...process.env,
      ...stack.env,
      LOG_LEVEL: 'SILENT',
      // what Lambda sets, and what Powertools and the X-Ray SDK look for to believe they are in it
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: dir,
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: trace.header,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      // the local runtime turns it off; Lambda leaves it unset, which is on
      POWERTOOLS_TRACE_ENABLED: 'true',
    },
    encoding: 'utf8',
  });
  // the process ended after its sockets sent; the datagrams may still be on their way through loopback
  await new Promise((resolve) => setTimeout(resolve, 300));
  const raw = datagrams.slice(before);
  // each datagram is a header line and one document
  const documents = raw.map((d) => JSON.parse(d.slice(d.indexOf('\n') + 1)) as SegmentDocument).filter((d) => d.trace_id === trace.root);
  return { answer: JSON.parse(stdout) as APIGatewayProxyStructuredResultV2, trace, documents, raw };
}

/** Every document and the subsegments inside it. */
const flatten = (documents: readonly SegmentDocument[]): SegmentDocument[] => documents.flatMap((d) => [d, ...flatten(d.subsegments ?? [])]);

describe('X-Ray tracing in Lambda', { timeout: 60_000 }, () => {
  it("records a route's invocation and each DynamoDB call under it, with no body nor personal data, and annotates the dossier code", async () => {
    // Prepare
    const claims = citizenClaims('tracing-citizen');
    const submission = { ...enterpriseRegistration(7171), applicant: person };

    // Act
    const created = await invokeTraced('CreateDossier', httpEvent({ method: 'POST', path: '/dossiers', routeKey: 'POST /dossiers', body: JSON.stringify(submission), claims }));
    const answer = JSON.parse(created.answer.body ?? '{}') as { code: string; pin?: string };
    const read = await invokeTraced('GetDossier', httpEvent({ method: 'GET', path: `/dossiers/${answer.code}`, routeKey: 'GET /dossiers/{code}', pathParameters: { code: answer.code }, claims }));

    // Assess: the answers are the untraced ones
    expect(created.answer.statusCode).toBe(201);
    expect(read.answer.statusCode).toBe(200);
    for (const { trace, documents } of [created, read]) {
      const all = flatten(documents);
      // the handler's subsegment hangs under Lambda's facade segment (the Parent Lambda gave)
      const handler = all.find((d) => d.name === '## index.handler');
      expect(handler, trace.root).toBeDefined();
      expect(handler!.parent_id).toBe(trace.parent);
      expect(handler!.annotations).toMatchObject({ ColdStart: true, Service: `motcua-${stack.provinceId}` });
      // the handler's answer is not captured
      expect(handler!.metadata).toBeUndefined();
      // every DynamoDB call is an aws subsegment under it, named and placed as captureAWSv3Client would
      const calls = all.filter((d) => d.namespace === 'aws');
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        expect(call).toMatchObject({ name: 'DynamoDB', type: 'subsegment', parent_id: handler!.id, aws: { region: stack.region, retries: 0 } });
        const tables = call.aws!.table_name !== undefined ? [call.aws!.table_name] : (call.aws!.table_names as unknown[]);
        expect(tables, String(call.aws!.operation)).toEqual([stack.tableName]);
        expect(call.http?.response?.status).toBe(200);
        // DynamoDB Local answers with a request id, as DynamoDB does
        expect(call.aws!.request_id).toMatch(/^[\w-]{8,}$/);
      }
    }
    const operations = (documents: readonly SegmentDocument[]) => [...new Set(flatten(documents).filter((d) => d.namespace === 'aws').map((d) => d.aws!.operation))];
    // the draft is written in one transaction; the read finds it by its id
    expect(operations(created.documents)).toEqual(['TransactWriteItems']);
    expect(operations(read.documents)).toEqual(['Query']);
    expect(flatten(read.documents).find((d) => d.name === '## index.handler')!.annotations).toMatchObject({ dossierCode: answer.code });
    // nothing the citizen sent or was answered: no ID number, phone, e-mail, name, PIN, body
    const sent = [...created.raw, ...read.raw].join('\n');
    for (const secret of [person.idNumber, person.phone, person.email, person.fullName, person.address]) expect(sent, secret).not.toContain(secret);
    if (answer.pin) expect(sent).not.toContain(answer.pin);
    expect(sent).not.toContain('"applicant"');
    expect(sent).not.toContain('trackingUrl');
  });

  it("records each stream record of a consumer as a subsegment annotated with its dossier code, and a batch's write as one of its own", async () => {
    // Prepare: two dossiers' first events, counted under a service and a year of this test alone
    const serviceId = `tracing-${randomBytes(4).toString('hex')}`;
    const codes = ['000.00.05.H37-310102-0001', '000.00.05.H37-310102-0002'];
    const records = codes.map((code, i) => {
      const dossier: WorkflowDossier = {
        code, serviceId, serviceCode: 'c', serviceName: 'n', agencyId: 'so-ke-hoach-va-dau-tu', agencyCode: '000.00.05.H37', agencyName: 'Sở KH&ĐT',
        applicantSubject: 's', applicant: { fullName: person.fullName, idNumber: person.idNumber, phone: person.phone, address: person.address }, fields: {}, channel: 'online',
        status: 1, version: 1, submittedAt: '2031-01-02T01:00:00.000Z', updatedAt: '2031-01-02T01:00:00.000Z',
      };
      const event: CountedEvent = { eventId: randomBytes(16).toString('hex'), type: 'dossier.submitted', dossierCode: code, version: 1, at: dossier.submittedAt!, actor: { kind: 'system' }, from: null, to: 1, agencyId: dossier.agencyId, dossier };
      return streamRecord({ pk: `DOSSIER#${code}`, sk: 'EVENT#000001', entity: 'event', ...event }, 2_000_000 + i, randomBytes(8).toString('hex'));
    });

    // Act
    const counted = await invokeTraced('CountEvents', { Records: records });

    // Assess
    expect(counted.answer).toEqual({ batchItemFailures: [] });
    const all = flatten(counted.documents);
    const handler = all.find((d) => d.name === '## index.handler')!;
    const perRecord = all.filter((d) => d.name === '## record');
    expect(perRecord.map((r) => r.annotations?.dossierCode)).toEqual(codes);
    for (const r of perRecord) {
      expect(r.parent_id).toBe(handler.id);
      // a record's counts are worked out in its subsegment and written with the batch's
      expect(all.filter((d) => d.namespace === 'aws' && d.parent_id === r.id)).toEqual([]);
    }
    const batch = all.filter((d) => d.name === '## batch');
    expect(batch.map((b) => b.parent_id)).toEqual([handler.id]);
    // both events' markers and their shared counters, in one transaction
    const calls = all.filter((d) => d.namespace === 'aws' && d.parent_id === batch[0]!.id);
    expect(calls.map((c) => [c.name, c.aws!.operation])).toEqual([['DynamoDB', 'TransactWriteItems']]);
    const sent = counted.raw.join('\n');
    for (const secret of [person.idNumber, person.phone, person.fullName]) expect(sent, secret).not.toContain(secret);
  });

  it('stays off where the local runtime runs handlers: no tracer is registered, so no call sends a datagram', async () => {
    const before = datagrams.length;
    const { tracer } = await import('../../functions/adapters/tracing.js');
    const { activeCallTracer } = await import('../../functions/adapters/call-tracing.js');
    const { signedTable } = await import('../../functions/adapters/dynamo-http.js');

    await signedTable().get({ TableName: stack.tableName, Key: { pk: 'TRACING#none', sk: 'ITEM' } });

    expect(tracer.isTracingEnabled()).toBe(false);
    expect(activeCallTracer()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(datagrams.length).toBe(before);
  });
});
