import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../functions/adapters/dynamo-client.js';
import { localCredentials, startLocalStack, type LocalStack } from '../local/stack.js';
import { StatsRepository, statsKeys } from '../functions/adapters/stats-repository.js';
import { addCounts, counterUpdates, shardOf, shardsOf, sumCounts, type CountedEvent, type Counts } from '../functions/domain/statistics.js';
import { agenciesOfService } from '../functions/domain/statistics.js';
import type { WorkflowDossier } from '../functions/domain/workflow.js';
import type { Province } from '../provinces/schema.js';

/**
 * How the cost of reading the province dashboard grows with the number of dossiers: it should not.
 *
 * The stack is started here, on free ports and a temporary data folder. Loading:
 * - the first 100 dossiers' events go through the consuming code path one event at a time
 *   (`counterUpdates` then `StatsRepository.count`: marker + counters in one transaction), exactly as
 *   the stream consumer does;
 * - the next 99,900 dossiers' events go through the same `counterUpdates`, summed in memory per counter
 *   item and written with one ADD per item (a bulk load: 400,000 transactions on DynamoDB Local would
 *   take the better part of an hour and would not change a single counter value). Nothing else writes
 *   during the load, so each counter item's final value is put with BatchWriteItem. Their dossier items
 *   are written only with BENCH_DOSSIER_ITEMS=1 (slow on DynamoDB Local): reads never touch them.
 * The dashboard is GET /stats for the province over the year and over the twelve months as a range,
 * and GET /stats/agencies for the year, through the local HTTP API.
 */

const YEAR = 2026;
const READS = 40;
const WARMUP = 20;

interface Synthetic {
  readonly dossier: WorkflowDossier;
  readonly events: CountedEvent[];
}

/** A deterministic dossier with a plausible life: most resolved, some late, some withdrawn, some rated. */
function synthetic(province: Province, i: number): Synthetic {
  const services = province.services.filter((s) => s.level >= 3);
  const service = services[i % services.length]!;
  const agencies = agenciesOfService(province, service);
  const agency = province.agencies.find((a) => a.id === agencies[i % agencies.length])!;
  const day = (i * 7919) % 360;
  const submitted = new Date(Date.UTC(YEAR, 0, 2) + day * 86_400_000 + 2 * 3_600_000);
  const at = (hours: number) => new Date(submitted.getTime() + hours * 3_600_000).toISOString();
  const code = `${agency.code}-${submitted.toISOString().slice(2, 10).replaceAll('-', '')}-${String(i % 10_000).padStart(4, '0')}#${i}`;
  const channel = i % 10 < 7 ? 'online' : i % 10 < 9 ? 'counter' : 'post';
  let d: WorkflowDossier = {
    code, serviceId: service.id, serviceCode: service.code, serviceName: service.name, agencyId: agency.id, agencyCode: agency.code, agencyName: agency.name,
    applicantSubject: `bench-${i}`, applicant: { fullName: 'Nguyễn Văn A', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' }, fields: {},
    channel, status: 1, version: 1, submittedAt: at(0), updatedAt: at(0),
  };
  const events: CountedEvent[] = [];
  const step = (type: string, when: string, next: Partial<WorkflowDossier>) => {
    d = { ...d, ...next, version: d.version + 1, updatedAt: when };
    events.push({ eventId: `bench-${i}-${d.version}`, type, dossierCode: code, version: d.version, at: when, actor: { kind: 'system' }, from: null, to: d.status, agencyId: agency.id, dossier: d });
  };
  events.push({ eventId: `bench-${i}-1`, type: 'dossier.submitted', dossierCode: code, version: 1, at: at(0), actor: { kind: 'system' }, from: null, to: 1, agencyId: agency.id, dossier: d });
  if (i % 50 === 0) {
    step('dossier.refuse', at(1), { status: 3 });
    return { dossier: d, events };
  }
  step('dossier.receive', at(1), { status: 2, receivedAt: at(1), dueAt: at(72) });
  if (i % 40 === 1) step('dossier.withdraw', at(5), { status: 7 });
  else if (i % 10 !== 3) {
    const resultClass = i % 10 === 4 ? 'late' : i % 3 === 0 ? 'on-time' : 'early';
    const finished = resultClass === 'late' ? at(100) : resultClass === 'on-time' ? at(70) : at(24);
    step('dossier.finish', finished, { status: 9, finishedAt: finished, resultClass });
    if (i % 4 === 0) step('dossier.rate', at(120), { status: 9, rating: { value: i % 12 === 0 ? 'unsatisfied' : 'satisfied', at: at(120) } });
  }
  return { dossier: d, events };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function dashboardMs(stack: LocalStack): Promise<{ ms: number; received: number }> {
  const paths = [`/stats?scope=province&year=${YEAR}`, `/stats?scope=province&from=${YEAR}-01&to=${YEAR}-12`, `/stats/agencies?year=${YEAR}`];
  const samples: number[] = [];
  let received = 0;
  for (let r = 0; r < READS + WARMUP; r++) {
    const started = performance.now();
    const answers = await Promise.all(paths.map((p) => fetch(`${stack.apiUrl}${p}`).then(async (res) => ({ status: res.status, body: (await res.json()) as { figures?: { received: { total: number } } } }))));
    const elapsed = performance.now() - started;
    for (const a of answers) if (a.status !== 200) throw new Error(`dashboard read answered ${a.status}`);
    received = answers[0]!.body.figures!.received.total;
    if (r >= WARMUP) samples.push(elapsed); // the first reads warm the handlers and DynamoDB Local up
  }
  return { ms: median(samples), received };
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export async function benchStats(): Promise<{ small: number; large: number; ratio: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-'));
  process.env.LOG_LEVEL ??= 'WARN';
  const stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true, consumers: false });
  const raw = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: localCredentials });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const stats = new StatsRepository(dynamo(), stack.tableName);
  const calendar = stack.province.calendar;
  const progress = (text: string) => process.stdout.write(`\r  ${text}`.padEnd(90));
  try {
    // 100 dossiers, one event at a time through the consumer's transaction
    const first = Array.from({ length: 100 }, (_, i) => synthetic(stack.province, i));
    const firstEvents = first.flatMap((s) => s.events);
    let done = 0;
    await pool(firstEvents, 8, async (e) => {
      const { failed } = await stats.countAll([{ eventId: e.eventId, dossierCode: e.dossierCode, updates: counterUpdates(e, calendar) }], new Date());
      if (failed[0]) throw failed[0].error;
      done += 1;
      if (done % 50 === 0) progress(`100 dossiers: ${done}/${firstEvents.length} events counted`);
    });
    await writeItems(db, stack.tableName, first.map((s) => ({ pk: `DOSSIER#${s.dossier.code}`, sk: 'DOSSIER', entity: 'dossier', ...s.dossier })));
    process.stdout.write('\n');
    const small = await dashboardMs(stack);
    console.log(`  dashboard with ${small.received.toLocaleString('en')} received (100 dossiers): median ${small.ms.toFixed(1)} ms`);

    // 99,900 more, summed per counter item over the whole load, plus their dossier items
    const TOTAL = Number(process.env.BENCH_DOSSIERS ?? 100_000);
    const sums = new Map<string, { key: ReturnType<typeof statsKeys.counter>; scope: string; period: string; counts: Counts }>();
    const dossiers: WorkflowDossier[] = [];
    let loadStarted = performance.now();
    for (let i = 100; i < TOTAL; i++) {
      const s = synthetic(stack.province, i);
      dossiers.push(s.dossier);
      for (const e of s.events) {
        for (const u of counterUpdates(e, calendar)) {
          const key = statsKeys.counter(u.scope, u.period, shardsOf(u.scope) > 1 ? shardOf(e.dossierCode) : 0);
          const id = `${key.pk}|${key.sk}`;
          const previous = sums.get(id);
          sums.set(id, { key, scope: u.scope, period: u.period, counts: addCounts(previous?.counts ?? {}, u.counts) });
        }
      }
      if (i % 10_000 === 0) progress(`derived the counters of ${i.toLocaleString('en')} of ${TOTAL.toLocaleString('en')} dossiers`);
    }
    // Nothing else writes while loading (the stack runs no consumers), so each item's final value can be
    // put in BatchWrite calls: its current value (from the first 100 dossiers) plus the bulk sum.
    const items = [...sums.values()];
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let written = 0;
    await pool(chunks, 16, async (chunk) => {
      const current = await db.send(new BatchGetCommand({ RequestItems: { [stack.tableName]: { Keys: chunk.map((c) => c.key), ConsistentRead: true } } }));
      const byId = new Map((current.Responses?.[stack.tableName] ?? []).map((item) => [`${String(item.pk)}|${String(item.sk)}`, item]));
      if (Object.keys(current.UnprocessedKeys ?? {}).length > 0) throw new Error('unprocessed keys while loading; run the bench again on a quieter machine');
      const puts = chunk.map((c) => {
        const existing = byId.get(`${c.key.pk}|${c.key.sk}`) ?? {};
        return { ...existing, ...c.key, entity: 'counter', scope: c.scope, period: c.period, ...addCounts(sumCounts([existing]), c.counts) };
      });
      await writeItems(db, stack.tableName, puts);
      written += chunk.length;
      if (written % 2_500 < 25) progress(`counter items: ${written.toLocaleString('en')}/${items.length.toLocaleString('en')}`);
    });
    process.stdout.write('\n');
    console.log(`  ${items.length.toLocaleString('en')} counter items written in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);
    if (process.env.BENCH_DOSSIER_ITEMS === '1') {
      loadStarted = performance.now();
      const batches: WorkflowDossier[][] = [];
      for (let i = 0; i < dossiers.length; i += 25) batches.push(dossiers.slice(i, i + 25));
      let stored = 0;
      await pool(batches, 32, async (batch) => {
        await writeItems(db, stack.tableName, batch.map((d) => ({ pk: `DOSSIER#${d.code}`, sk: 'DOSSIER', entity: 'dossier', ...d })));
        stored += batch.length;
        if (stored % 5_000 === 0) progress(`dossier items: ${(stored + 100).toLocaleString('en')}/${TOTAL.toLocaleString('en')}`);
      });
      process.stdout.write('\n');
      console.log(`  ${(dossiers.length + 100).toLocaleString('en')} dossier items in the table (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)`);
    }
    const large = await dashboardMs(stack);
    console.log(`  dashboard with ${large.received.toLocaleString('en')} received (${TOTAL.toLocaleString('en')} dossiers): median ${large.ms.toFixed(1)} ms`);
    const ratio = large.ms / small.ms;
    console.log(`  ratio ${TOTAL.toLocaleString('en')} / 100 dossiers: ${ratio.toFixed(2)}`);
    return { small: small.ms, large: large.ms, ratio };
  } finally {
    raw.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function writeItems(db: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const answer = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (answer.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
