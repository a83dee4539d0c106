import { consumers, routes } from '../functions/declaration.js';
import type { LocalStack } from '../local/stack.js';
import { apiAt } from '../test/support/api.js';
import { burstService } from '../test/support/burst.js';
import { applicant } from '../test/support/dossiers.js';
import { samplePdf } from '../test/support/files.js';
import { declarationId, type Recorder } from './recorder.js';
import { transactionWriteUnits } from './capacity.js';
import { lambdaMemoryGb, prices } from './prices.js';

const kindOf = new Map<string, string>([...routes.map((r) => [r.id, 'route'] as const), ...consumers.map((c) => [c.id, c.source.kind] as const)]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** S3 operations billed at the PUT, COPY, POST, LIST rate; DELETE is free; the rest at the GET rate. */
const s3PutClass = /^(Put|Copy|Post|List|CreateMultipart|UploadPart|CompleteMultipart)/;

export interface CostResult {
  readonly lifecycles: number;
  /** per lifecycle */
  readonly apiRequests: number;
  readonly invocations: Readonly<Record<string, number>>;
  readonly gbSeconds: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  /** DynamoDB requests that came back without ConsumedCapacity (failed conditions): billed, one unit per item, a transaction as its items */
  readonly unmeteredWrites: number;
  readonly s3Put: number;
  readonly s3Get: number;
  readonly sqs: number;
  readonly ses: number;
  readonly secrets: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** DynamoDB write units per lifecycle by the function that spent them (table + index + refused conditions) */
  readonly writeUnitsByFunction: Readonly<Record<string, number>>;
  /** schedule invocations seen during the run: a fixed cost per month, not per lifecycle */
  readonly scheduled: number;
}

/**
 * BENCH_LIFECYCLES (default 20) dossiers through the whole one-stop workflow, one after another, the way
 * the portal and the back office call the API: the citizen creates a draft of a procedure with two
 * required PDFs, asks for two upload URLs and PUTs the files, looks at the dossier once they are
 * verified and submits it; the agency receives it, starts processing, uploads a result PDF, finishes
 * and returns it; the citizen rates it. Every SDK request of every invocation (routes, stream and
 * bucket consumers) is counted by the request observer until the consumers have caught up.
 */
export async function benchCost(stack: LocalStack, recorder: Recorder, say: (line: string) => void): Promise<CostResult> {
  const n = Number(process.env.BENCH_LIFECYCLES ?? 20);
  const base = apiAt(stack.apiUrl);
  let apiRequests = 0;
  let presignedPuts = 0;
  const call: typeof base = (path, init) => {
    if (!path.startsWith('/local/')) apiRequests += 1;
    return base(path, init);
  };
  const token = async (role: string, extra: Record<string, string>) => (await base<{ token: string }>('/local/token', { method: 'POST', body: { role, ...extra } })).json.token;
  const official = await token('official', { agencyId: burstService.agencyId, subject: 'cost-official' });
  const verifiedCount = () => recorder.invocations.filter((i) => declarationId(i.functionName) === 'VerifyDocuments').length;
  const put = async (url: string) => {
    presignedPuts += 1;
    const answer = await fetch(url, { method: 'PUT', body: samplePdf });
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`PUT: ${answer.status}`);
  };
  /** the verifier runs once per uploaded object: wait for it instead of polling the API */
  const verified = async (expected: number) => {
    const deadline = Date.now() + 60_000;
    while (verifiedCount() < expected) {
      if (Date.now() > deadline) throw new Error('documents not verified in time');
      await sleep(50);
    }
  };
  const ok = <A extends { status: number; text: string }>(answer: A, what: string, status = 200): A => {
    if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
    return answer;
  };

  await recorder.settle();
  recorder.reset();
  for (let i = 0; i < n; i++) {
    const citizen = await token('citizen', { subject: `cost-citizen-${i}` });
    const created = ok(
      await call('/dossiers', { token: citizen, body: { serviceId: burstService.id, applicant: applicant(80_000 + i), fields: { enterpriseName: `Công ty TNHH Vòng đời ${i}`, employeeCount: 25 } } }),
      'create',
      201,
    );
    const draftId: string = created.json.code;
    const before = verifiedCount();
    for (const component of burstService.components) {
      const slot = ok(await call(`/dossiers/${draftId}/documents`, { token: citizen, body: { component, fileName: `${component}.pdf`, contentType: 'application/pdf', size: samplePdf.length } }), 'upload slot', 201);
      await put(slot.json.upload.url);
    }
    await verified(before + 2);
    ok(await call(`/dossiers/${draftId}`, { token: citizen }), 'view');
    const submitted = ok(await call(`/dossiers/${draftId}/submit`, { method: 'POST', token: citizen }), 'submit');
    const code: string = submitted.json.code;
    const act = async (action: string) => ok(await call(`/dossiers/${code}/actions`, { token: official, body: { action } }), action);
    await act('receive');
    await act('start-processing');
    const resultSlot = ok(await call(`/dossiers/${code}/results`, { token: official, body: { fileName: 'ket-qua.pdf', contentType: 'application/pdf', size: samplePdf.length } }), 'result slot', 201);
    await put(resultSlot.json.upload.url);
    await verified(before + 3);
    await act('finish');
    await act('return');
    ok(await call(`/dossiers/${code}/rating`, { token: citizen, body: { rating: 'satisfied' } }), 'rate');
    if ((i + 1) % 5 === 0 || i + 1 === n) say(`${i + 1}/${n} lifecycles`);
  }
  say('waiting for the stream consumers to catch up');
  await recorder.settle();

  const invocations: Record<string, number> = {};
  let gbSeconds = 0;
  let scheduled = 0;
  for (const inv of recorder.invocations) {
    const id = declarationId(inv.functionName);
    if (kindOf.get(id) === 'schedule') {
      scheduled += 1;
      continue;
    }
    invocations[id] = (invocations[id] ?? 0) + 1 / n;
    // Lambda bills each invocation's duration rounded up to the millisecond
    gbSeconds += (Math.ceil(inv.durationMs) / 1000) * lambdaMemoryGb;
  }
  let readUnits = 0;
  let writeUnits = 0;
  let indexWriteUnits = 0;
  let unmeteredWrites = 0;
  let s3Put = presignedPuts;
  let s3Get = 0;
  let sqs = 0;
  let ses = 0;
  let secrets = 0;
  const byOperation: Record<string, number> = { 'S3 PutObject (presigned, from the browser)': presignedPuts / n };
  const writeUnitsByFunction: Record<string, number> = {};
  const spent = (functionName: string | undefined, units: number) => {
    if (units === 0) return;
    const id = functionName ? declarationId(functionName) : 'outside a function';
    writeUnitsByFunction[id] = (writeUnitsByFunction[id] ?? 0) + units / n;
  };
  for (const r of recorder.requests) {
    if (r.functionName && kindOf.get(declarationId(r.functionName)) === 'schedule') continue;
    byOperation[`${r.service} ${r.operation}`] = (byOperation[`${r.service} ${r.operation}`] ?? 0) + 1 / n;
    if (r.service === 'DynamoDB') {
      if (r.units) {
        readUnits += r.units.read;
        writeUnits += r.units.write;
        indexWriteUnits += r.units.indexWrite;
        spent(r.functionName, r.units.write + r.units.indexWrite);
      } else if (r.items !== undefined) {
        // a cancelled transaction is billed too, each of its items written (prepared) twice
        const units = r.transactItems ? transactionWriteUnits(r.transactItems) : r.items;
        unmeteredWrites += units;
        spent(r.functionName, units);
      } else {
        readUnits += 1;
      }
    } else if (r.service === 'S3') {
      if (s3PutClass.test(r.operation)) s3Put += 1;
      else if (!r.operation.startsWith('Delete')) s3Get += 1;
    } else if (r.service === 'SQS') sqs += 1;
    else if (r.service === 'SESv2') ses += 1;
    else if (r.service === 'Secrets Manager') secrets += 1;
  }
  return {
    lifecycles: n,
    apiRequests: apiRequests / n,
    invocations,
    gbSeconds: gbSeconds / n,
    readUnits: readUnits / n,
    writeUnits: writeUnits / n,
    indexWriteUnits: indexWriteUnits / n,
    unmeteredWrites: unmeteredWrites / n,
    s3Put: s3Put / n,
    s3Get: s3Get / n,
    sqs: sqs / n,
    ses: ses / n,
    secrets: secrets / n,
    byOperation,
    writeUnitsByFunction,
    scheduled,
  };
}

const usd = (x: number) => `$${x.toFixed(2)}`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function costReport(r: CostResult): string[] {
  const million = 1e6;
  const invocations = Object.values(r.invocations).reduce((a, b) => a + b, 0);
  const rows: [string, string, number][] = [
    ['API Gateway HTTP API', `${num(r.apiRequests)} requests`, r.apiRequests * prices.httpApiRequest.usd],
    ['Lambda requests', `${num(invocations)} invocations`, invocations * prices.lambdaRequest.usd],
    ['Lambda duration', `${r.gbSeconds.toFixed(3)} GB-s at ${lambdaMemoryGb * 1024} MB`, r.gbSeconds * prices.lambdaArmGbSecond.usd],
    ['DynamoDB writes', `${num(r.writeUnits)} WRU + ${num(r.indexWriteUnits)} index WRU + ${num(r.unmeteredWrites)} failed-condition writes`, (r.writeUnits + r.indexWriteUnits + r.unmeteredWrites) * prices.dynamoWriteUnit.usd],
    ['DynamoDB reads', `${num(r.readUnits)} RRU`, r.readUnits * prices.dynamoReadUnit.usd],
    ['DynamoDB Streams', 'GetRecords by Lambda triggers', 0],
    ['S3 requests', `${num(r.s3Put)} PUT-class + ${num(r.s3Get)} GET-class`, r.s3Put * prices.s3PutRequest.usd + r.s3Get * prices.s3GetRequest.usd],
    ['SQS requests', `${num(r.sqs)} requests`, r.sqs * prices.sqsRequest.usd],
    ['Secrets Manager', `${num(r.secrets)} calls (locally read from a file; one per cold container in the cloud)`, r.secrets * prices.secretsManagerCall.usd],
  ];
  const total = rows.reduce((sum, [, , cost]) => sum + cost * million, 0);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    `  per lifecycle, counted over ${r.lifecycles} lifecycles; cost per 1 million lifecycles at ap-southeast-1 list prices (bench/prices.ts):`,
    ...rows.map(([name, counted, cost]) => `  ${name.padEnd(width)}  ${usd(cost * million).padStart(9)}  ${counted}`),
    `  ${'total'.padEnd(width)}  ${usd(total).padStart(9)}`,
    `  invocations per lifecycle: ${Object.entries(r.invocations)
      .sort((a, b) => b[1] - a[1])
      .map(([id, count]) => `${id} ${num(count)}`)
      .join(', ')}`,
    `  DynamoDB write units per lifecycle by function (table, index and refused): ${Object.entries(r.writeUnitsByFunction)
      .sort((a, b) => b[1] - a[1])
      .map(([id, units]) => `${id} ${num(units)}`)
      .join(', ')}`,
    `  SDK requests per lifecycle: ${Object.entries(r.byOperation)
      .sort((a, b) => b[1] - a[1])
      .map(([op, count]) => `${op} ${num(count)}`)
      .join(', ')}`,
    `  not in the total: ${num(r.ses)} SES emails per lifecycle (${usd(r.ses * prices.sesEmail.usd * million)} per million, a message price), SMS, the agencies' own ReceiveMessage/DeleteMessage, ${r.scheduled} scheduled invocations seen (a fixed monthly cost)`,
    `  durations are of handlers run in-process on this machine, not of Lambda on Graviton`,
    `cost: ${usd(total)} per million lifecycles vs the $40 target: ${total <= 40 ? 'pass' : 'FAIL'}`,
  ];
  return lines;
}
