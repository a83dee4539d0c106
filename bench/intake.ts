import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ObservedRequest } from '../functions/adapters/request-observer.js';
import { MAX_OPEN_DRAFTS } from '../functions/domain/dossier.js';
import { routes } from '../functions/declaration.js';
import { localCredentials, type LocalStack } from '../local/stack.js';
import { apiAt, honouringRetryAfter } from '../test/support/api.js';
import { burstService, percentile, pool, putAll, verifiedDocumentItems } from '../test/support/burst.js';
import { applicant } from '../test/support/dossiers.js';
import { createKeyTable } from '../test/support/tables.js';
import { declarationId, type Recorder } from './recorder.js';

const routeIds = new Set<string>(routes.map((r) => r.id));

export interface Phase {
  readonly seconds: number;
  /** milliseconds per request, sorted */
  readonly latencies: readonly number[];
}

/** One round of N dossiers through the API: created, their documents marked verified, submitted. */
export interface IntakeRound {
  readonly create: Phase;
  readonly submit: Phase;
  readonly rate: number;
  readonly retries: number;
}

export interface IntakeResult {
  readonly dossiers: number;
  readonly concurrency: number;
  /** the stream consumers held while the API works, released after (their work is not on the API's clock) */
  readonly alone: IntakeRound;
  /** the consumers running beside the API, in the same process and on the same DynamoDB Local */
  readonly withConsumers: IntakeRound;
  readonly raw: Phase & { readonly writes: number };
  /** storage requests (DynamoDB and S3) the routes made, per dossier, by operation (the first round) */
  readonly perDossier: Readonly<Record<string, number>>;
  readonly k: number;
  /** items written per dossier by the first round's routes: the raw writes are one per item */
  readonly itemsPerDossier: number;
  readonly rawRate: number;
}

const storage = (r: ObservedRequest) => (r.service === 'DynamoDB' || r.service === 'S3') && r.functionName !== undefined && routeIds.has(declarationId(r.functionName));

/**
 * BENCH_INTAKE dossiers (default 300) at BENCH_INTAKE_CONCURRENCY (default 20) through the local HTTP
 * API, twice: each is created (a draft of a procedure with two required PDFs), its two documents are
 * marked verified directly in the table (uploads are counted in the cost section, not timed here), and it
 * is submitted. The first round holds the stream consumers until it is done, the second lets them run
 * beside it. Then the same DynamoDB Local takes raw PutItem writes, one per item the first round's routes
 * wrote, of the size DynamoDB billed for it, at the same concurrency and with the consumers caught up:
 * the ceiling the API is measured against. In the cloud the consumers run in their own containers and
 * DynamoDB's capacity does not shrink under them; here they share the API's process, its two cores and
 * the one DynamoDB Local, so the first round is the like-for-like comparison and the second is shown
 * beside it.
 */
export async function benchIntake(stack: LocalStack, recorder: Recorder, say: (line: string) => void): Promise<IntakeResult> {
  const n = Number(process.env.BENCH_INTAKE ?? 300);
  const concurrency = Number(process.env.BENCH_INTAKE_CONCURRENCY ?? 20);
  const call = apiAt(stack.apiUrl);
  const citizens = Math.ceil(n / MAX_OPEN_DRAFTS);
  const tokensOf = async (round: string): Promise<string[]> => {
    const tokens: string[] = [];
    for (let c = 0; c < citizens; c++) {
      const answer = await call<{ token: string }>('/local/token', { method: 'POST', body: { role: 'citizen', subject: `intake-${round}-${c}` } });
      if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
      tokens.push(answer.json.token);
    }
    return tokens;
  };
  let retries = 0;
  /** one request, repeated after a refusal with Retry-After as the contract asks; its latency is to the final answer */
  const timed = async (path: string, init: { method?: string; token: string; body?: unknown }, latencies: number[]) => {
    const started = performance.now();
    const { answer, retries: again, refused } = await honouringRetryAfter(() => call(path, init));
    retries += again;
    if (refused) throw new Error(`${path}: still refused after 20 attempts`);
    latencies.push(performance.now() - started);
    return answer;
  };
  const phase = async (label: string, count: number, work: (i: number, latencies: number[]) => Promise<void>): Promise<Phase> => {
    const latencies: number[] = [];
    const started = performance.now();
    let done = 0;
    await pool(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      async (i) => {
        await work(i, latencies);
        done += 1;
        if (done % 100 === 0 || done === count) say(`${label}: ${done}/${count} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      },
    );
    return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
  };

  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: localCredentials }));
  /** one round; the storage requests its routes made are returned with it */
  const round = async (label: string, base: number, count = n): Promise<{ result: IntakeRound; requests: ObservedRequest[] }> => {
    const tokens = await tokensOf(label);
    // dossier i belongs to citizen i mod citizens: concurrent requests are of different citizens, as on a deadline day
    const tokenOf = (i: number) => tokens[i % citizens]!;
    const retriesBefore = retries;
    await recorder.settle(2000);
    recorder.reset();
    const drafts: string[] = new Array(count);
    const create = await phase(`${label}: create`, count, async (i, latencies) => {
      const answer = await timed('/dossiers', { token: tokenOf(i), body: { serviceId: burstService.id, applicant: applicant(base + i), fields: { enterpriseName: `Công ty TNHH Tiếp nhận ${base + i}`, employeeCount: 10 + (i % 90) } } }, latencies);
      if (answer.status !== 201) throw new Error(`create ${i}: ${answer.status} ${answer.text}`);
      drafts[i] = answer.json.code;
    });
    const createRequests = recorder.requests.filter(storage);
    await putAll(db, stack.tableName, verifiedDocumentItems(drafts));
    await recorder.settle(2000);
    recorder.reset();
    const submit = await phase(`${label}: submit`, count, async (i, latencies) => {
      const answer = await timed(`/dossiers/${drafts[i]}/submit`, { method: 'POST', token: tokenOf(i) }, latencies);
      if (answer.status !== 200) throw new Error(`submit ${drafts[i]}: ${answer.status} ${answer.text}`);
    });
    const requests = [...createRequests, ...recorder.requests.filter(storage)];
    return { result: { create, submit, rate: count / (create.seconds + submit.seconds), retries: retries - retriesBefore }, requests };
  };
  try {
    // the handlers' first requests compile and load them: not part of either round
    await round('warm-up', 50_000, Math.min(n, 3 * concurrency));
    await stack.streamConsumers.hold();
    let first: Awaited<ReturnType<typeof round>>;
    try {
      first = await round('consumers held', 60_000);
    } finally {
      stack.streamConsumers.release();
    }
    say('consumers released: catching up with the first round');
    await recorder.settle();
    const second = await round('consumers running', 70_000);
    const all = first.requests;
    const perDossier: Record<string, number> = {};
    for (const r of all) perDossier[`${r.service} ${r.operation}`] = (perDossier[`${r.service} ${r.operation}`] ?? 0) + 1 / n;

    // One raw item per item the API wrote, as large as DynamoDB billed it (a transaction bills twice).
    const sizes: number[] = [];
    for (const r of all) {
      if (!r.items || !r.units) continue;
      const perItem = r.units.write / (r.operation === 'TransactWriteItems' ? 2 : 1) / r.items;
      for (let k = 0; k < r.items; k++) sizes.push(Math.max(1, Math.round(perItem)));
    }
    // the consumers of the submissions' events are done before the ceiling is measured
    await recorder.settle();
    const rawTable = `${stack.tableName}-bench-raw`;
    await createKeyTable(db, rawTable);
    const rawLatencies: number[] = [];
    const rawStarted = performance.now();
    await pool(sizes, concurrency, async (kb, i) => {
      const started = performance.now();
      // a kilobyte billed is up to 1,024 bytes of names and values: stay just under it
      await db.send(new PutCommand({ TableName: rawTable, Item: { pk: `RAW#${i}`, sk: 'RAW', filler: 'x'.repeat(kb * 1024 - 40) } }));
      rawLatencies.push(performance.now() - started);
      if ((i + 1) % 500 === 0) say(`raw PutItem: ${i + 1}/${sizes.length}`);
    });
    const raw = { seconds: (performance.now() - rawStarted) / 1000, latencies: rawLatencies.sort((a, b) => a - b), writes: sizes.length };
    return { dossiers: n, concurrency, alone: first.result, withConsumers: second.result, raw, perDossier, k: all.length / n, itemsPerDossier: sizes.length / n, rawRate: sizes.length / raw.seconds };
  } finally {
    db.destroy();
  }
}

const ms = (sorted: readonly number[]) => `p50 ${percentile(sorted, 50).toFixed(0)} / p95 ${percentile(sorted, 95).toFixed(0)} / p99 ${percentile(sorted, 99).toFixed(0)} ms`;

export function intakeReport(r: IntakeResult): string[] {
  const ratio = r.alone.rate / r.rawRate;
  const ok = r.k <= 4 && ratio >= 1 / r.k;
  const ops = Object.entries(r.perDossier)
    .sort((a, b) => b[1] - a[1])
    .map(([op, count]) => `${op} ${count.toFixed(2)}`)
    .join(', ');
  const roundLines = (label: string, x: IntakeRound) => [
    `  API, ${label}: ${r.dossiers} dossiers in ${(x.create.seconds + x.submit.seconds).toFixed(1)} s = ${x.rate.toFixed(1)} dossiers/s at concurrency ${r.concurrency} (${x.retries} retried after Retry-After)`,
    `    create ${(r.dossiers / x.create.seconds).toFixed(1)}/s, ${ms(x.create.latencies)}; submit ${(r.dossiers / x.submit.seconds).toFixed(1)}/s, ${ms(x.submit.latencies)}`,
  ];
  return [
    `  k = ${r.k.toFixed(2)} storage requests per submitted dossier (routes only; consumers are in the cost section): ${ops}`,
    ...roundLines('stream consumers held', r.alone),
    ...roundLines('stream consumers running beside it', r.withConsumers),
    `  raw DynamoDB Local PutItem, same item sizes: ${r.raw.writes} writes in ${r.raw.seconds.toFixed(1)} s = ${r.rawRate.toFixed(0)}/s, ${ms(r.raw.latencies)}`,
    `  with the consumers running: ratio ${(r.withConsumers.rate / r.rawRate).toFixed(3)}`,
    `  ${r.itemsPerDossier.toFixed(2)} items written per dossier: their raw writes alone allow ${(r.rawRate / r.itemsPerDossier).toFixed(1)} dossiers/s (ratio ${(1 / r.itemsPerDossier).toFixed(3)}); the API reaches ${((100 * r.alone.rate * r.itemsPerDossier) / r.rawRate).toFixed(0)} % of that with the consumers held, ${((100 * r.withConsumers.rate * r.itemsPerDossier) / r.rawRate).toFixed(0)} % with them running`,
    `intake: ratio ${ratio.toFixed(3)} (consumers held) vs 1/k = ${(1 / r.k).toFixed(3)}, k ${r.k.toFixed(2)} vs ≤ 4: ${ok ? 'pass' : 'FAIL'}`,
  ];
}
