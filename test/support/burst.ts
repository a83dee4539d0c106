import { BatchGetCommand, BatchWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentKey } from '../../functions/adapters/document-repository.js';
import { keys } from '../../functions/adapters/dossier-items.js';
import { MAX_OPEN_DRAFTS } from '../../functions/domain/dossier.js';
import { parseDossierCode, formatDossierCode } from '../../functions/domain/codes.js';
import { apiAt, honouringRetryAfter } from './api.js';
import { applicant } from './dossiers.js';

/**
 * Many citizens submit to one agency at the same moment, through the HTTP API: what a deadline day looks
 * like. Shared by the test suite (a few hundred) and `npm run bench` (a thousand).
 *
 * Lao động - Thương binh và Xã hội's internal labour rules registration (2.001955): two required PDFs,
 * and no other test files dossiers with that agency, so its sequence of the day is this burst's alone.
 */
export const burstService = { id: '2.001955', agencyId: 'so-lao-dong-thuong-binh-va-xa-hoi', components: ['van-ban-de-nghi', 'noi-quy'] } as const;

export interface BurstOptions {
  readonly apiUrl: string;
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly submissions: number;
  /** keeps citizens of separate runs on one stack apart */
  readonly runId: string;
  readonly progress?: (line: string) => void;
}

export interface BurstResult {
  /** draft id → the dossier code its submission answered */
  readonly codes: ReadonlyMap<string, string>;
  /** the status of every answer of the burst, retries included (0: the connection was reset, no answer) */
  readonly statuses: Readonly<Record<number, number>>;
  /** answers that were neither 200 nor a deliberate refusal with Retry-After for a dossier not stored */
  readonly unexpected: readonly string[];
  /** refusals with Retry-After after which the draft was found submitted (stored although refused) */
  readonly refusedButStored: readonly string[];
  readonly retries: number;
  readonly seconds: number;
  /** milliseconds from the start of the burst to each submission's final answer, sorted */
  readonly latencies: readonly number[];
  /** the agency's counters of the burst's days, summed, and every code up to them that has no dossier */
  readonly counter: number;
  readonly holes: readonly string[];
  /** the days (yyMMdd) the burst's codes are dated: two when it runs across midnight in Vietnam */
  readonly days: readonly string[];
}

/**
 * The two verified documents of each draft, as the verifier would have left them: the upload and the
 * verifier are tested on their own, and a measurement of submissions should not wait on them.
 */
export function verifiedDocumentItems(draftIds: readonly string[]): Record<string, unknown>[] {
  const at = new Date().toISOString();
  return draftIds.flatMap((draftId, d) =>
    burstService.components.map((component, k) => {
      const id = `00000000-0000-4000-8000-${String(d * 2 + k).padStart(12, '0')}`;
      return {
        ...documentKey(draftId, id),
        entity: 'document',
        id,
        dossierCode: draftId,
        kind: 'application',
        component,
        fileName: `${component}.pdf`,
        objectKey: `dossiers/${draftId}/${component}/${id}`,
        declaredType: 'application/pdf',
        declaredSize: 1000,
        allowedTypes: ['application/pdf'],
        maxSizeBytes: 5_242_880,
        status: 'verified',
        uploadedBy: { kind: 'citizen', subject: 'burst' },
        uploadedAt: at,
        actualSize: 1000,
        actualType: 'application/pdf',
        sha256: '0'.repeat(64),
        verifiedAt: at,
      };
    }),
  );
}

/** BatchWrite in 25s, retrying what DynamoDB left unprocessed. */
export async function putAll(db: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length) {
      const answer = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = (answer.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/**
 * Prepares one draft per submission through the API (citizens of 20 drafts each, the open-draft limit),
 * marks their two documents verified directly in the table (the upload and the verifier are tested on
 * their own; here the contention under test is the submission), then sends every submit at once. A
 * client retries a refusal that carries Retry-After, as the contract asks.
 */
export async function burstSubmissions(options: BurstOptions): Promise<BurstResult> {
  const call = apiAt(options.apiUrl);
  const say = options.progress ?? (() => undefined);
  const citizens = Math.ceil(options.submissions / MAX_OPEN_DRAFTS);
  const tokens: string[] = [];
  for (let c = 0; c < citizens; c++) {
    const answer = await call<{ token: string }>('/local/token', { method: 'POST', body: { role: 'citizen', subject: `burst-${options.runId}-${c}` } });
    if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
    tokens.push(answer.json.token);
  }
  const drafts: { id: string; token: string }[] = [];
  await pool(
    Array.from({ length: options.submissions }, (_, i) => i),
    16,
    async (i) => {
      // concurrent drafts are of different citizens: one citizen's drafts contend on their open-draft set
      const token = tokens[i % citizens]!;
      const body = { serviceId: burstService.id, applicant: applicant(40_000 + i), fields: { enterpriseName: `Công ty TNHH Thử tải ${i}`, employeeCount: 10 + (i % 90) } };
      // a shed request (503 with Retry-After) stored nothing: the client sends it again when told to
      const { answer: created } = await honouringRetryAfter(() => call('/dossiers', { token, body }), { statuses: [503] });
      if (created.status !== 201 || !created.json.dossier.draft) throw new Error(`draft ${i}: ${created.status} ${created.text}`);
      drafts.push({ id: created.json.code, token });
      if (drafts.length % 100 === 0) say(`${drafts.length}/${options.submissions} drafts prepared`);
    },
  );
  await putAll(options.db, options.tableName, verifiedDocumentItems(drafts.map((d) => d.id)));
  say(`${drafts.length} drafts with verified documents; submitting all at once`);

  const statuses: Record<number, number> = {};
  const unexpected: string[] = [];
  const refusedButStored: string[] = [];
  const codes = new Map<string, string>();
  const latencies: number[] = [];
  let retries = 0;
  const started = performance.now();
  await Promise.all(
    drafts.map(async (d) => {
      for (let attempt = 0; attempt < 40; attempt++) {
        // a connection reset is a lost answer: the same submit again is safe (it answers the same dossier)
        const answer = await call(`/dossiers/${d.id}/submit`, { method: 'POST', token: d.token }).catch(() => undefined);
        if (!answer) {
          statuses[0] = (statuses[0] ?? 0) + 1;
          retries += 1;
          await sleep(1000 * (1 + Math.random()));
          continue;
        }
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status === 200) {
          codes.set(d.id, answer.json.code);
          latencies.push(performance.now() - started);
          if (codes.size % 100 === 0) say(`${codes.size}/${drafts.length} submitted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          return;
        }
        const retryAfter = Number(answer.headers.get('retry-after'));
        if (![409, 429, 503].includes(answer.status) || !Number.isFinite(retryAfter) || retryAfter <= 0) {
          unexpected.push(`${d.id}: ${answer.status} ${answer.text.slice(0, 200)}`);
          return;
        }
        // a deliberate refusal must mean the dossier was not stored (a 409 in progress means another request holds it)
        if (answer.status !== 409) {
          const now = await call(`/dossiers/${d.id}`, { token: d.token }).catch(() => undefined);
          if (now && now.json?.draft !== true) refusedButStored.push(`${d.id}: ${answer.status}`);
        }
        retries += 1;
        // at least Retry-After, spread so that the refused do not all come back at the same instant
        await sleep(retryAfter * 1000 * (1 + Math.random()));
      }
      unexpected.push(`${d.id}: still refused after 40 attempts`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  // A burst that runs across midnight in Vietnam (17:00 UTC) takes numbers of two days: each day's counter
  // is checked against its own dossiers.
  const days = new Map<string, string>();
  for (const code of codes.values()) {
    const parsed = parseDossierCode(code);
    if (parsed) days.set(parsed.day, parsed.agencyCode);
  }
  let counter = 0;
  const holes: string[] = [];
  for (const [day, agencyCode] of days) {
    const counterItem = await options.db.send(new GetCommand({ TableName: options.tableName, Key: keys.sequence(burstService.agencyId, day), ConsistentRead: true }));
    const dayCounter = Number(counterItem.Item?.value ?? 0);
    counter += dayCounter;
    for (let from = 1; from <= dayCounter; from += 100) {
      const wanted = Array.from({ length: Math.min(100, dayCounter - from + 1) }, (_, k) => formatDossierCode(agencyCode, day, from + k));
      let request: Record<string, unknown>[] = wanted.map((code) => keys.dossier(code));
      const found = new Set<string>();
      while (request.length) {
        const answer = await options.db.send(new BatchGetCommand({ RequestItems: { [options.tableName]: { Keys: request, ProjectionExpression: 'code', ConsistentRead: true } } }));
        for (const item of answer.Responses?.[options.tableName] ?? []) found.add(String(item.code));
        request = (answer.UnprocessedKeys?.[options.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
      holes.push(...wanted.filter((code) => !found.has(code)));
    }
  }
  return { codes, statuses, unexpected, refusedButStored, retries, seconds, latencies: latencies.sort((a, b) => a - b), counter, holes, days: [...days.keys()] };
}

export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
