import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { signedTable } from '../functions/adapters/dynamo-http.js';
import type { ObservedRequest } from '../functions/adapters/request-observer.js';
import { MAX_OPEN_DRAFTS } from '../functions/domain/dossier.js';
import { routes } from '../functions/declaration.js';
import { dynamoDbPidFile } from '../local/dynamodb.js';
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

/** CPU time spent during a phase, in milliseconds, by the two processes that share the machine */
export interface CpuSpent {
  /** this process: the local HTTP front, the handlers, the S3 and SQS stand-ins, the stream pollers and the bench's own client */
  readonly api: number;
  /** DynamoDB Local's JVM; undefined where /proc cannot be read (not Linux) */
  readonly dynamodb: number | undefined;
}

/** One round of N dossiers through the API: created, their documents marked verified, submitted. */
export interface IntakeRound {
  readonly create: Phase;
  readonly submit: Phase;
  readonly rate: number;
  readonly retries: number;
  readonly cpu: { readonly create: CpuSpent; readonly submit: CpuSpent };
}

/**
 * CPU clocks of this process and of DynamoDB Local (its pid from the file the runtime writes beside its
 * data): where a round's time goes when both share the machine's cores.
 */
function cpuClock(dataDir: string): () => CpuSpent {
  let pid: number | undefined;
  let tick = 100;
  try {
    pid = Number(readFileSync(dynamoDbPidFile(dataDir), 'utf8').trim());
    tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    pid = undefined;
  }
  const jvm = (): number | undefined => {
    if (!pid) return undefined;
    try {
      // fields after the command's closing parenthesis: state is the 3rd field of the line, utime the 14th, stime the 15th
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
    } catch {
      return undefined;
    }
  };
  const self = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  return () => ({ api: self(), dynamodb: jvm() });
}

const spentSince = (start: CpuSpent, end: CpuSpent): CpuSpent => ({
  api: end.api - start.api,
  dynamodb: start.dynamodb === undefined || end.dynamodb === undefined ? undefined : end.dynamodb - start.dynamodb,
});

export interface IntakeResult {
  readonly dossiers: number;
  readonly concurrency: number;
  /** the stream consumers held while the API works, released after (their work is not on the API's clock) */
  readonly alone: IntakeRound;
  /** the consumers running beside the API, in the same process and on the same DynamoDB Local */
  readonly withConsumers: IntakeRound;
  readonly raw: Phase & { readonly writes: number; readonly cpu: CpuSpent };
  readonly cores: number;
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
  const cpuNow = cpuClock(stack.dataDir);
  const citizens = Math.ceil(n / MAX_OPEN_DRAFTS);
  const tokensOf = async (round: string): Promise<string[]> => {
    const tokens: string[] = [];
    for (let c = 0; c < citizens; c++) {
      const answer = await call<{ token: string }>('/local/token', { method: 'POST', body: { role: 'citizen', subject: `intake-${round.replaceAll(" ", "-")}-${c}` } });
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
    let cpuStart = cpuNow();
    const create = await phase(`${label}: create`, count, async (i, latencies) => {
      const answer = await timed('/dossiers', { token: tokenOf(i), body: { serviceId: burstService.id, applicant: applicant(base + i), fields: { enterpriseName: `Công ty TNHH Tiếp nhận ${base + i}`, employeeCount: 10 + (i % 90) } } }, latencies);
      if (answer.status !== 201) throw new Error(`create ${i}: ${answer.status} ${answer.text}`);
      drafts[i] = answer.json.code;
    });
    const createRequests = recorder.requests.filter(storage);
    const createCpu = spentSince(cpuStart, cpuNow());
    await putAll(db, stack.tableName, verifiedDocumentItems(drafts));
    await recorder.settle(2000);
    recorder.reset();
    cpuStart = cpuNow();
    const submit = await phase(`${label}: submit`, count, async (i, latencies) => {
      const answer = await timed(`/dossiers/${drafts[i]}/submit`, { method: 'POST', token: tokenOf(i) }, latencies);
      if (answer.status !== 200) throw new Error(`submit ${drafts[i]}: ${answer.status} ${answer.text}`);
    });
    const submitCpu = spentSince(cpuStart, cpuNow());
    const cpu = { create: createCpu, submit: submitCpu };
    const requests = [...createRequests, ...recorder.requests.filter(storage)];
    return { result: { create, submit, rate: count / (create.seconds + submit.seconds), retries: retries - retriesBefore, cpu }, requests };
  };
  try {
    // The handlers' first requests compile and load them, and DynamoDB Local's JVM compiles its own hot
    // paths over its first thousands of requests (a round after a short warm-up cost it a third more CPU
    // per dossier than one after this): not part of either round, and the raw writes come last, warm.
    await round('warm-up', 50_000);
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
    // the handlers' own signed caller: the SDK client costs this process more CPU per request than
    // DynamoDB Local spends on it, which would cap the ceiling by the bench's client
    const rawTableWriter = signedTable({ region: stack.region, endpoint: stack.endpoints.dynamodb });
    const rawLatencies: number[] = [];
    const rawCpuStart = cpuNow();
    const rawStarted = performance.now();
    await pool(sizes, concurrency, async (kb, i) => {
      const started = performance.now();
      // a kilobyte billed is up to 1,024 bytes of names and values: stay just under it
      await rawTableWriter.put({ TableName: rawTable, Item: { pk: `RAW#${i}`, sk: 'RAW', filler: 'x'.repeat(kb * 1024 - 40) } });
      rawLatencies.push(performance.now() - started);
      if ((i + 1) % 500 === 0) say(`raw PutItem: ${i + 1}/${sizes.length}`);
    });
    const raw = { seconds: (performance.now() - rawStarted) / 1000, latencies: rawLatencies.sort((a, b) => a - b), writes: sizes.length, cpu: spentSince(rawCpuStart, cpuNow()) };
    return { dossiers: n, concurrency, cores: availableParallelism(), alone: first.result, withConsumers: second.result, raw, perDossier, k: all.length / n, itemsPerDossier: sizes.length / n, rawRate: sizes.length / raw.seconds };
  } finally {
    db.destroy();
  }
}

const ms = (sorted: readonly number[]) => `p50 ${percentile(sorted, 50).toFixed(0)} / p95 ${percentile(sorted, 95).toFixed(0)} / p99 ${percentile(sorted, 99).toFixed(0)} ms`;

/**
 * Where the time went: the two processes' CPU per dossier (consumers held) and per raw write, and the rate
 * the machine's cores would allow at that CPU if nothing else ran and nothing waited.
 */
function cpuLines(r: IntakeResult): string[] {
  const { create, submit } = r.alone.cpu;
  const ms = (total: number) => (total / r.dossiers).toFixed(1);
  const api = `this process ${ms(create.api + submit.api)} ms (create ${ms(create.api)}, submit ${ms(submit.api)}: the HTTP front, handlers, S3/SQS stand-ins and the bench's client)`;
  if (create.dynamodb === undefined || submit.dynamodb === undefined || r.raw.cpu.dynamodb === undefined) return [`  CPU per dossier, consumers held: ${api}; DynamoDB Local's is not readable here`];
  const rawClient = r.raw.cpu.api / r.raw.writes;
  const rawServer = r.raw.cpu.dynamodb / r.raw.writes;
  const bound = (perUnit: number) => ((1000 * r.cores) / perUnit).toFixed(0);
  const dossierMs = (create.api + submit.api + create.dynamodb + submit.dynamodb) / r.dossiers;
  return [
    `  CPU per dossier, consumers held: ${api}, DynamoDB Local ${ms(create.dynamodb + submit.dynamodb)} ms (create ${ms(create.dynamodb)}, submit ${ms(submit.dynamodb)}); ${r.cores} cores at that CPU allow ${bound(dossierMs)} dossiers/s`,
    `  CPU per raw PutItem: the bench's client ${rawClient.toFixed(2)} ms, DynamoDB Local ${rawServer.toFixed(2)} ms (${(rawServer * r.itemsPerDossier).toFixed(1)} ms for a dossier's ${r.itemsPerDossier.toFixed(0)} items); ${r.cores} cores allow ${bound(rawClient + rawServer)} writes/s`,
  ];
}

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
    ...cpuLines(r),
    `  ${r.itemsPerDossier.toFixed(2)} items written per dossier: their raw writes alone allow ${(r.rawRate / r.itemsPerDossier).toFixed(1)} dossiers/s (ratio ${(1 / r.itemsPerDossier).toFixed(3)}); the API reaches ${((100 * r.alone.rate * r.itemsPerDossier) / r.rawRate).toFixed(0)} % of that with the consumers held, ${((100 * r.withConsumers.rate * r.itemsPerDossier) / r.rawRate).toFixed(0)} % with them running`,
    `intake: ratio ${ratio.toFixed(3)} (consumers held) vs 1/k = ${(1 / r.k).toFixed(3)}, k ${r.k.toFixed(2)} vs ≤ 4: ${ok ? 'pass' : 'FAIL'}`,
  ];
}
